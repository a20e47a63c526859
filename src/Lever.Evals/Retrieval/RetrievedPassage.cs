namespace Lever.Evals.Retrieval;

/// <summary>One retrieved chunk: its stable id (what an answer cites), its text, score and source document.</summary>
public sealed record RetrievedPassage(string Id, string Text, double Score, string? Source = null);
