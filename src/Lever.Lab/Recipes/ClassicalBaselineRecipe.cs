using Lever.Core.Levers;
using Lever.Lab.Data;
using Lever.Providers.Classical;

namespace Lever.Lab.Recipes;

/// <summary>
/// The honest "do you need an LLM at all?" row: <see cref="LogisticRegressionClassifier"/> (ML.NET word-presence IDF
/// features, class-balanced L-BFGS logistic regression) trained on the training split — the same code a
/// <c>kind: classical</c> provider runs under <c>lever eval</c>.
/// </summary>
public sealed class ClassicalBaselineRecipe : LabRecipe
{
    private const string ModelFile = "model.zip";

    /// <inheritdoc/>
    public override string Name => "baseline-logreg";

    /// <inheritdoc/>
    public override LeverKind Lever => LeverKind.Baseline;

    /// <inheritdoc/>
    public override string Description => "ML.NET word-presence IDF features, class-balanced L-BFGS logistic regression (no LLM)";

    /// <inheritdoc/>
    public override string Fingerprint => LogisticRegressionClassifier.Fingerprint;

    /// <inheritdoc/>
    public override IReadOnlyList<string> Artifacts => [ModelFile];

    /// <inheritdoc/>
    public override Task TrainAsync(RecipeContext context, CancellationToken ct)
    {
        var classes = Classes(context.Data.Labels);
        var rows = context.Data.Train.Select(e => (e.Text, e.Label)).ToList();
        context.Stage?.Start(3);
        ct.ThrowIfCancellationRequested();
        context.Stage?.Progress(1);
        using var model = LogisticRegressionClassifier.Train(rows, classes);
        context.Stage?.Progress(2);
        model.Save(Path.Combine(context.Directory, ModelFile));
        context.Stage?.Progress(3);
        context.Stage!.Detail = $"{rows.Count} examples ({string.Join(", ", classes.Select(c => $"{rows.Count(r => r.Label == c)} {c}"))})";
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct)
    {
        return Task.FromResult<IRecipeAnswerer>(new Answerer(LogisticRegressionClassifier.Load(Path.Combine(context.Directory, ModelFile), Classes(context.Data.Labels))));
    }

    // Labels are sorted: for ham/spam the positive class is spam.
    private static IReadOnlyList<string> Classes(IReadOnlyList<string> labels) =>
        LogisticRegressionClassifier.ClassesOf(labels, "the classical baseline", "leave it out with lab.recipes, or give data with at least two classes");

    private sealed class Answerer(LogisticRegressionClassifier model) : IRecipeAnswerer
    {
        public ValueTask<LabelAnswer> AnswerAsync(LabExample example, CancellationToken ct) => ValueTask.FromResult(new LabelAnswer(model.Predict(example.Text)));

        public void Dispose() => model.Dispose();
    }
}
