namespace Lever.Engine.Generation;

/// <summary>One step of streaming generation.</summary>
/// <param name="Id">The token id.</param>
/// <param name="Text">Text that became final with this token (may be empty while a UTF-8 character or a possible stop sequence is pending).</param>
/// <param name="FinishReason">"stop" or "length" on the last update; null before.</param>
/// <param name="CachedPromptTokens">Prompt tokens whose keys/values came from the prefix cache.</param>
public sealed record GeneratedToken(int Id, string Text, string? FinishReason = null, int CachedPromptTokens = 0);
