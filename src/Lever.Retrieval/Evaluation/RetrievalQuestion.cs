namespace Lever.Retrieval.Evaluation;

/// <summary>One line of a retrieval eval set: <c>{"question": "...", "relevant": ["doc id", ...]}</c>.</summary>
public sealed record RetrievalQuestion(string Question, IReadOnlyList<string> Relevant, string Where);
