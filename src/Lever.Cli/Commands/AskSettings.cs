namespace Lever.Cli.Commands;

/// <summary>lever.yaml's <c>ask:</c> section: which chat provider <c>lever ask</c> answers through.</summary>
internal sealed class AskSettings
{
    /// <summary>Provider name under <c>providers:</c>; when unset, the only provider with a chat <c>model</c> is used.</summary>
    public string? Provider { get; set; }
}
