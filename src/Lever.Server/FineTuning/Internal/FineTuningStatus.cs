namespace Lever.Server.FineTuning.Internal;

/// <summary>A job's statuses in OpenAI's words: validating_files → queued → running → succeeded | failed | cancelled.</summary>
internal static class FineTuningStatus
{
    public const string ValidatingFiles = "validating_files";
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}
