namespace Lever.Server.Requests;

/// <summary>One line read back from the usage ledger or the request log (<see cref="RequestLogReader"/>).</summary>
/// <param name="Time">When the answer finished (UTC).</param>
/// <param name="Identity">The caller's identity id.</param>
/// <param name="Model">The served model id.</param>
/// <param name="PromptTokens">Input tokens.</param>
/// <param name="CompletionTokens">Output tokens.</param>
/// <param name="Milliseconds">Wall time of the answer.</param>
/// <param name="CostUsd">What the server priced it at, or null when it was not priced.</param>
/// <param name="Messages">The (redacted) messages; null in the usage ledger.</param>
/// <param name="Answer">The (redacted) answer; null in the usage ledger.</param>
public sealed record LoggedRequest(DateTimeOffset Time, string Identity, string Model, long PromptTokens, long CompletionTokens, double Milliseconds,
    double? CostUsd, IReadOnlyList<RecordedMessage>? Messages, string? Answer);
