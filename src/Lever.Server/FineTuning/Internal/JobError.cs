namespace Lever.Server.FineTuning.Internal;

/// <summary>Why a job failed, as OpenAI reports it: a code, a message naming the problem, the parameter at fault.</summary>
internal sealed record JobError(string Code, string Message, string? Param);
