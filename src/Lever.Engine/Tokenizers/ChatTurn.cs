namespace Lever.Engine.Tokenizers;

/// <summary>One message of a conversation: role is "system", "user" or "assistant".</summary>
/// <param name="Role">Who speaks.</param>
/// <param name="Content">What is said.</param>
public sealed record ChatTurn(string Role, string Content);
