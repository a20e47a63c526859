using Lever.Core.Levers;
using Lever.Lab.Data;
using Lever.Lab.Internal;
using Lever.Lab.Recipes.Provider.Internal;
using Lever.Lab.Recipes.Retrieval;

namespace Lever.Lab.Recipes.Provider;

/// <summary>
/// A hosted model's recipe: zero-shot (instruction + email), few-shot (fixed labelled training emails as earlier
/// turns) or retrieval few-shot (the most similar labelled training emails from the lab's Lever BM25 index). Nothing
/// is trained; each answer is billed from the provider's measured token usage × its price, and the lab keeps
/// <c>max_concurrency</c> requests in flight.
/// </summary>
public sealed class HostedPromptRecipe(HostedModel model, HostedPromptKind kind) : LabRecipe, IProviderBackedRecipe
{
    // Bump when the prompt's wording or shape changes: hosted answers are then asked again.
    private const string PromptVersion = "hosted-prompt-v1";
    private const string ExamplesFile = "examples.jsonl";

    /// <summary>The recipe names, in the order the lab runs them.</summary>
    public static readonly IReadOnlyList<string> Names = ["hosted-zero-shot", "hosted-few-shot", "hosted-rag-few-shot"];

    /// <summary>The hosted model it asks.</summary>
    public HostedModel Hosted => model;

    /// <summary>The hosted model it asks, as "model (provider 'name')".</summary>
    public string Model => model.Title;

    /// <summary>How it prompts.</summary>
    public HostedPromptKind Kind => kind;

    /// <inheritdoc/>
    public override string Name => Names[(int)kind];

    /// <inheritdoc/>
    public override LeverKind Lever => kind == HostedPromptKind.RagFewShot ? LeverKind.Rag : LeverKind.Prompt;

    /// <inheritdoc/>
    public override string Description => kind switch
    {
        HostedPromptKind.ZeroShot => $"{model.Title}: zero-shot instruction, reply parsed to a label",
        HostedPromptKind.FewShot => $"{model.Title}: {model.Options.FewShot} fixed labelled training examples as examples",
        _ => $"{model.Title}: the {model.Options.RagK} most similar labelled training examples (Lever BM25 index) as examples",
    } + (model.Options.MaxTestItems is { } n ? $"; measured on a seeded sample of at most {n} test items (lab.provider.max_test_items)" : "");

    /// <inheritdoc/>
    public override string Fingerprint
    {
        get
        {
            var o = model.Options;
            var shots = kind switch
            {
                HostedPromptKind.FewShot => $"shots={o.FewShot};shot_chars={o.ShotChars}",
                HostedPromptKind.RagFewShot => $"k={o.RagK};query={TrainingEmailIndex.QueryChars};shot_chars={o.ShotChars}",
                _ => "",
            };
            return $"{PromptVersion};{kind};{model.Fingerprint};chars={o.PromptChars};{shots};t={o.Temperature};max_out={o.MaxOutputTokens}";
        }
    }

    /// <inheritdoc/>
    public string ProviderName => model.Provider;

    /// <inheritdoc/>
    public int? MaxTestItems => model.Options.MaxTestItems;

    /// <summary>The local CPU only waits for the network: the provider's bill is the answer cost.</summary>
    public override int AnswerCores => 0;

    /// <inheritdoc/>
    public override IReadOnlyList<string> Artifacts => kind switch
    {
        HostedPromptKind.FewShot => [ExamplesFile],
        HostedPromptKind.RagFewShot => [TrainingEmailIndex.CorpusFile],
        _ => [],
    };

    /// <inheritdoc/>
    public override Task TrainAsync(RecipeContext context, CancellationToken ct)
    {
        switch (kind)
        {
            case HostedPromptKind.FewShot:
                var shots = FixedExamples(context.Data.Train, context.Data.Labels, model.Options.FewShot);
                JsonLines.Write(Path.Combine(context.Directory, ExamplesFile), shots);
                if (context.Stage is { } stage)
                {
                    stage.Start(1);
                    stage.Progress(1);
                    stage.Detail = $"{shots.Count} examples: {string.Join(", ", shots.Select(s => s.Label))}";
                }
                return Task.CompletedTask;
            case HostedPromptKind.RagFewShot:
                return TrainingEmailIndex.BuildAsync(context.Directory, context.Data.Train, context.Stage, ct);
            default:
                return Task.CompletedTask;
        }
    }

    /// <inheritdoc/>
    public override async Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct)
    {
        var labels = context.Data.Labels;
        switch (kind)
        {
            case HostedPromptKind.FewShot:
                var shots = JsonLines.Read<LabExample>(Path.Combine(context.Directory, ExamplesFile));
                return new HostedClassifier(model.CreateClient(), model, labels, _ => shots);
            case HostedPromptKind.RagFewShot:
                var index = await TrainingEmailIndex.OpenAsync(context.Directory, context.Data.Train, ct).ConfigureAwait(false);
                var gate = new Lock();
                IReadOnlyList<LabExample> Neighbours(LabExample query)
                {
                    // One search at a time: answers run concurrently, the index's reader is not promised to be thread-safe.
                    lock (gate) return index.Neighbours(query, model.Options.RagK).Select(n => n.Example).Reverse().ToList(); // best last, next to the query
                }
                try
                {
                    return new HostedClassifier(model.CreateClient(), model, labels, Neighbours, index);
                }
                catch
                {
                    index.Dispose();
                    throw;
                }
            default:
                return new HostedClassifier(model.CreateClient(), model, labels, null);
        }
    }

    /// <summary>
    /// <paramref name="count"/> training emails, the classes taking turns (in sorted label order) and each class's
    /// emails taken in the split's seeded order: fixed for a given split and seed, never chosen by looking at the test.
    /// </summary>
    internal static List<LabExample> FixedExamples(IReadOnlyList<LabExample> train, IReadOnlyList<string> labels, int count)
    {
        var queues = labels.ToDictionary(l => l, l => new Queue<LabExample>(train.Where(e => e.Label == l)), StringComparer.Ordinal);
        var shots = new List<LabExample>(count);
        for (var i = 0; shots.Count < count && queues.Values.Any(q => q.Count > 0); i++)
        {
            if (queues[labels[i % labels.Count]].TryDequeue(out var e)) shots.Add(e);
        }
        return shots;
    }
}
