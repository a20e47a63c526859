using System.Globalization;
using System.Text.Json;
using Lever.Evals.Data;
using Lever.Evals.Internal;
using Lever.Evals.Parsing;
using Lever.Evals.Recipes;
using Lever.Evals.Retrieval;
using Lever.Evals.Running;
using Lever.Evals.Scoring;

namespace Lever.Evals.Diagnosis;

/// <summary>
/// Labels a failed item with the gap behind it, checking in this order (first match wins; docs/EVALS.md):
/// 1) behaviour — the raw answer holds the right content but the parser or the primary scorer refused its form
///    (the one label mentioned is the expected one; every expected JSON field value is in the text; the expected
///    answer appears in the text);
/// 2) knowledge — a fact-type item (text or JSON parser, non-numeric answer) whose expected fact is absent from
///    everything the model was shown; with a corpus index, a retrieval probe says whether RAG could supply it;
/// 3) prompt — re-asking with k nearest solved examples (the recipe's pool, else the eval set leave-one-out) passes;
/// 4) capability — none of these, unless an optional LLM judge, shown the question, reference, answer and context,
///    names another category (its reason is recorded with a "judge:" prefix).
/// </summary>
public sealed class FailureDiagnoser
{
    /// <summary>Fraction of the expected fact's tokens that must be visible for the fact to count as present.</summary>
    public const double FactPresentRecall = 0.6;

    private readonly Recipe _recipe;
    private readonly OutputParser _parser;
    private readonly IRetriever? _retriever;
    private readonly string? _corpusIndex;
    private readonly Func<EvalItem, CancellationToken, Task<bool>>? _fewShotProbe;
    private readonly DiagnosisJudge? _judge;

    /// <summary>
    /// Creates a diagnoser. <paramref name="corpusIndex"/> (recipe's index, else a configured corpus) enables the
    /// retrieval probe; <paramref name="fewShotProbe"/> re-answers an item with examples and says whether it passed.
    /// </summary>
    public FailureDiagnoser(Recipe recipe, OutputParser parser, IRetriever? retriever, string? corpusIndex, Func<EvalItem, CancellationToken, Task<bool>>? fewShotProbe, DiagnosisJudge? judge = null)
    {
        _recipe = recipe;
        _parser = parser;
        _retriever = retriever;
        _corpusIndex = corpusIndex;
        _fewShotProbe = fewShotProbe;
        _judge = judge;
    }

    /// <summary>Diagnoses a failed <paramref name="item"/> from its answer and parse.</summary>
    public async Task<FailureDiagnosis> DiagnoseAsync(EvalItem item, RecipeAnswer answer, ParsedOutput parsed, CancellationToken cancellationToken = default)
    {
        if (Behaviour(item, parsed) is { } behaviour) return Make(FailureCategory.Behaviour, behaviour);
        if (await KnowledgeAsync(item, answer, cancellationToken).ConfigureAwait(false) is { } knowledge) return Make(FailureCategory.Knowledge, knowledge);
        if (_fewShotProbe is not null && await _fewShotProbe(item, cancellationToken).ConfigureAwait(false))
            return Make(FailureCategory.Prompt, "answered right when shown solved examples (few-shot probe)");
        // The heuristics found no evidence for a lever. An optional judge may still name one; it never overrides evidence.
        if (_judge is not null && await _judge.ClassifyAsync(item, answer, cancellationToken).ConfigureAwait(false) is { } judged)
            return Make(judged.Category, "judge: " + judged.Reason);
        return Make(FailureCategory.Capability, _fewShotProbe is null
            ? "content wrong, the fact was in context, and no few-shot probe was possible"
            : "content wrong although the fact was in context, and solved examples did not help");
    }

    private static FailureDiagnosis Make(string category, string reason) => new(category, reason, FailureCategory.LeverFor(category));

    private string? Behaviour(EvalItem item, ParsedOutput parsed)
    {
        var expected = item.ExpectedText;
        if (expected is null) return null;
        switch (_recipe.Parser.Kind)
        {
            case "label":
                if (!parsed.Ok && _parser.MentionedLabel(parsed.Raw) is { } mentioned && string.Equals(mentioned, expected, StringComparison.OrdinalIgnoreCase))
                    return $"names the right label '{expected}' but not in the required form ({parsed.Error})";
                return null;
            case "json":
                var leaves = new List<(string, JsonElement)>();
                if (item.Expected is { ValueKind: JsonValueKind.Object or JsonValueKind.Array } e) JsonScorer.Flatten(e, "$", leaves);
                if (leaves.Count == 0) return null;
                var values = leaves.Select(l => l.Item2.ValueKind == JsonValueKind.String ? l.Item2.GetString()! : l.Item2.GetRawText()).ToList();
                if (values.All(v => TextNormalizer.ContainsNormalized(parsed.Raw, v)))
                    return parsed.Ok ? "every expected value is in the answer but under the wrong fields or types" : $"every expected value is in the answer, but {parsed.Error}";
                return null;
            default:
                if (TextNormalizer.ContainsNormalized(parsed.Raw, expected) || TokenF1.Recall(parsed.Raw, expected) >= 0.8)
                    return "the expected answer is in the output, but not in the form the scorer requires";
                return null;
        }
    }

    private async Task<string?> KnowledgeAsync(EvalItem item, RecipeAnswer answer, CancellationToken cancellationToken)
    {
        if (_recipe.Parser.Kind == "label") return null; // the label set is in the prompt by construction
        var fact = item.Fact ?? item.ExpectedText;
        if (string.IsNullOrWhiteSpace(fact) || NumericScorer.FirstNumber(fact) is { } && TextNormalizer.Tokens(fact).Count <= 2)
            return null; // a bare number may be computed rather than known: no basis to call it a missing fact
        var visible = PromptBuilder.VisibleText(answer.Prompt);
        if (TextNormalizer.ContainsNormalized(visible, fact) || TokenF1.Recall(visible, fact) >= FactPresentRecall) return null;

        var where = answer.Passages.Count > 0 ? $"the {answer.Passages.Count} retrieved passages do not contain it" : "the prompt has no context holding it";
        var index = _recipe.Retrieval.Index ?? _corpusIndex;
        if (_retriever is null || index is null)
            return $"the expected fact is not in the model's context ({where}); no corpus is configured to check whether retrieval could supply it";
        int probeK = Math.Max(20, _recipe.Retrieval.K * 5);
        var probe = await _retriever.RetrieveAsync(new RetrievalRequest(index, item.QueryText, probeK, item.User, item.Groups), cancellationToken).ConfigureAwait(false);
        int rank = -1;
        for (int i = 0; i < probe.Count; i++)
        {
            if (TextNormalizer.ContainsNormalized(probe[i].Text, fact) || TokenF1.Recall(probe[i].Text, fact) >= FactPresentRecall)
            {
                rank = i + 1;
                break;
            }
        }
        var r = rank.ToString(CultureInfo.InvariantCulture);
        if (rank < 0) return $"the expected fact is not in the model's context ({where}), and index '{index}' does not return it in the top {probeK}: add the source document to the corpus";
        return _recipe.Retrieval.Enabled
            ? $"the expected fact is not in the model's context ({where}); index '{index}' ranks it at {r} (> k={_recipe.Retrieval.K}): raise k or improve retrieval"
            : $"the expected fact is not in the model's context ({where}); index '{index}' returns it at rank {r}: retrieval would supply it";
    }
}
