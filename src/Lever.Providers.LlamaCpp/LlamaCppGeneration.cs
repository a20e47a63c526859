namespace Lever.Providers.LlamaCpp;

/// <summary>What one <see cref="LlamaCppModel.Generate"/> call produced.</summary>
/// <param name="TokenIds">Generated token ids (a stop token included when one ended it).</param>
/// <param name="Text">Generated text, stop sequence removed.</param>
/// <param name="PromptTokens">Tokens in the prompt.</param>
/// <param name="CachedPromptTokens">Of those, how many llama.cpp's KV cache already held from the previous call (shared prefix).</param>
/// <param name="OutputTokens">Tokens generated.</param>
/// <param name="FinishReason"><c>stop</c> (end-of-generation token or stop sequence) or <c>length</c>.</param>
/// <param name="TimeToFirstToken">Prompt evaluation plus the first token.</param>
/// <param name="Elapsed">The whole call.</param>
public sealed record LlamaCppGeneration(IReadOnlyList<int> TokenIds, string Text, int PromptTokens, int CachedPromptTokens, int OutputTokens,
    string FinishReason, TimeSpan TimeToFirstToken, TimeSpan Elapsed);
