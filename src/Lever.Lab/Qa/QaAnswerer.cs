using Lever.Engine.Generation;
using Lever.Retrieval;
using Lever.Retrieval.Evaluation;
using Microsoft.Extensions.AI;

namespace Lever.Lab.Qa;

/// <summary>Answers one question the way a <see cref="QaRecipe"/> says: retrieve (or not), then read or generate, and cite.</summary>
public sealed class QaAnswerer
{
    /// <summary>Instructions for the closed-book chat recipe.</summary>
    public const string ClosedBookPrompt = "Answer the question from your own knowledge in one short sentence. If you do not know, say so.";

    private readonly QaRecipe _recipe;
    private readonly RetrievalIndex? _index;
    private readonly QaProviders _providers;
    private readonly int _k;
    private readonly TextGenerator? _model;

    /// <summary>An answerer for <paramref name="recipe"/>; <paramref name="index"/> is required when it retrieves, <paramref name="model"/> when it generates locally.</summary>
    public QaAnswerer(QaRecipe recipe, RetrievalIndex? index, QaProviders providers, int k, TextGenerator? model = null)
    {
        if (recipe.Retrieval != QaRetrieval.None && index is null) throw new ArgumentException($"{recipe.Name} needs an index", nameof(index));
        if (recipe.DocsModel && model is null) throw new ArgumentException($"{recipe.Name} needs the trained model", nameof(model));
        _model = model;
        _recipe = recipe;
        _index = index;
        _providers = providers;
        _k = k;
    }

    /// <summary>The answer, the cited page, the retrieved pages and the billed cost (latency is measured by the caller).</summary>
    public async Task<(string Answer, string? Cited, IReadOnlyList<string> Ranked, IReadOnlyList<string> Passages, double? CostUsd)> AnswerAsync(string question, CancellationToken ct)
    {
        IReadOnlyList<SearchHit> hits = [];
        IReadOnlyList<string> ranked = [];
        if (_recipe.Retrieval != QaRetrieval.None)
        {
            // Two chunks per page at most, so the top k passages are not all one long page; 20 hits give a top-10 page ranking for the metrics.
            var mode = _recipe.Retrieval == QaRetrieval.Hybrid ? SearchMode.Hybrid : SearchMode.Lexical;
            hits = await _index!.SearchAsync(question, new SearchOptions(20, Mode: mode, MaxChunksPerDocument: 2), _providers.Embedder, ct).ConfigureAwait(false);
            ranked = RetrievalMetrics.Documents(hits).Take(10).ToList();
        }
        var passages = hits.Take(_k).ToList();
        var passagePages = passages.Select(p => p.DocId).ToList();
        if (_recipe.DocsModel)
        {
            // Greedy (a repetition penalty of 1.3 keeps a tiny model from looping), one line: the tiny model continues "Question: …\nAnswer:" with what its training text makes likely.
            var generated = _model!.Generate($"Question: {question}\nAnswer:", new GenerationOptions { MaxTokens = 32, RepetitionPenalty = 1.3, StopSequences = ["\n"] }, ct);
            return (generated.Text.Trim(), null, ranked, passagePages, null);
        }
        if (!_recipe.Hosted)
        {
            var read = ExtractiveReader.Read(question, passages);
            return (read?.Text ?? "", read?.Passage.DocId, ranked, passagePages, null);
        }

        var chat = _providers.Chat ?? throw new InvalidOperationException($"{_recipe.Name} needs a chat provider");
        List<ChatMessage> messages = _recipe.Retrieval == QaRetrieval.None
            ? [new ChatMessage(ChatRole.System, ClosedBookPrompt), new ChatMessage(ChatRole.User, question)]
            : GroundedAnswerer.BuildMessages(question, passages);
        var response = await chat.GetResponseAsync(messages, new ChatOptions { Temperature = 0 }, ct).ConfigureAwait(false);
        var text = response.Text.Trim();
        string? cited = null;
        if (passages.Count > 0 && GroundedAnswerer.CitedNumbers(text, passages.Count) is [var first, ..]) cited = passages[first - 1].DocId;
        var usage = response.Usage;
        double cost = ((usage?.InputTokenCount ?? 0) * _providers.InputPerMillionUsd + (usage?.OutputTokenCount ?? 0) * _providers.OutputPerMillionUsd) / 1e6;
        return (text, cited, ranked, passagePages, cost);
    }
}
