using Lever.Evals.Data;
using Lever.Evals.Parsing;
using Lever.Evals.Retrieval;

namespace Lever.Evals.Scoring;

/// <summary>What a scorer sees: the item, the parsed answer, and the passages the prompt held (for citations).</summary>
public sealed record ScoringInput(EvalItem Item, ParsedOutput Output, IReadOnlyList<RetrievedPassage> Passages);
