namespace Lever.Engine.Generation;

/// <summary>A finished generation.</summary>
/// <param name="Text">Generated text, without stop sequences and special tokens.</param>
/// <param name="TokenIds">Generated token ids (including a final EOS/stop token, if one ended it).</param>
/// <param name="FinishReason">"stop" (EOS, stop token or stop sequence) or "length" (max tokens or context full).</param>
/// <param name="PromptTokens">Tokens in the prompt.</param>
/// <param name="CachedPromptTokens">Prompt tokens whose keys/values came from the prefix cache.</param>
/// <param name="TimeToFirstToken">From the call to the first generated token.</param>
/// <param name="Elapsed">Total time.</param>
public sealed record GenerationResult(string Text, IReadOnlyList<int> TokenIds, string FinishReason, int PromptTokens, int CachedPromptTokens,
    TimeSpan TimeToFirstToken, TimeSpan Elapsed)
{
    /// <summary>Generated tokens.</summary>
    public int OutputTokens => TokenIds.Count;
}
