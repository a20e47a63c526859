namespace Lever.Server.Requests;

/// <summary>
/// One answered chat request as the server saw it: who asked, which model answered, the conversation, the answer and
/// what it used. The usage ledger keeps the counts of every record; the request log (opt-in) also keeps the texts.
/// </summary>
/// <param name="Time">When the answer finished (UTC).</param>
/// <param name="Identity">The caller's identity id (never a key); <c>anonymous</c> without authentication.</param>
/// <param name="Model">The served model id that answered.</param>
/// <param name="Messages">The request's messages, in order.</param>
/// <param name="Answer">The assistant's answer text.</param>
/// <param name="PromptTokens">Input tokens the model reported (0 when it reported none).</param>
/// <param name="CompletionTokens">Output tokens the model reported (0 when it reported none).</param>
/// <param name="Milliseconds">Wall time from the request reaching the model to the last token.</param>
/// <param name="Stream">True when the answer was streamed.</param>
public sealed record RequestRecord(DateTimeOffset Time, string Identity, string Model, IReadOnlyList<RecordedMessage> Messages, string Answer,
    long PromptTokens, long CompletionTokens, double Milliseconds, bool Stream);
