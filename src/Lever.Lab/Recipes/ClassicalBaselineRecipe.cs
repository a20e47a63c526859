using Lever.Core;
using Lever.Core.Levers;
using Lever.Lab.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Text;

namespace Lever.Lab.Recipes;

/// <summary>
/// The honest "do you need an LLM at all?" row: ML.NET text featurization (lower-cased words, presence weighted by
/// IDF) and L-BFGS logistic regression with classes weighted to balance, trained on the training split in seconds and
/// answering in under a millisecond. Single-threaded so the model is the same bit for bit on every run.
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
    public override string Fingerprint => "mlnet-logreg-v3;balanced;words=1;idf;no-norm;lbfgs;l2reg=1e-2;threads=1;seed=1";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Artifacts => [ModelFile];

    /// <inheritdoc/>
    public override Task TrainAsync(RecipeContext context, CancellationToken ct)
    {
        var (negative, positive) = Classes(context.Data.Labels);
        var ml = new MLContext(seed: 1);
        var positives = context.Data.Train.Count(e => e.Label == positive);
        var negatives = context.Data.Train.Count - positives;
        // Classes weighted to balance: the training groups are 15% spam, later mail is not, and macro-F1 counts both classes alike.
        var positiveWeight = positives == 0 ? 1f : (float)negatives / positives;
        var rows = context.Data.Train.Select(e => new TextRow { Text = e.Text, Label = e.Label == positive, Weight = e.Label == positive ? positiveWeight : 1f }).ToList();
        context.Stage?.Start(3);
        var data = ml.Data.LoadFromEnumerable(rows);
        // Chosen on the validation split (docs/LAB.md): word presence weighted by IDF, unnormalized, beat TF-IDF with
        // L2-normalized word 1-2-grams + char 3-grams (97.8% vs 93.6% validation accuracy) and trains in a third of the time.
        var features = new TextFeaturizingEstimator.Options
        {
            WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = 1, UseAllLengths = true, Weighting = NgramExtractingEstimator.WeightingCriteria.Idf },
            CharFeatureExtractor = null,
            Norm = TextFeaturizingEstimator.NormFunction.None,
            CaseMode = TextNormalizingEstimator.CaseMode.Lower,
        };
        var pipeline = ml.Transforms.Text.FeaturizeText("Features", features, nameof(TextRow.Text))
            .AppendCacheCheckpoint(ml)
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new Microsoft.ML.Trainers.LbfgsLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = nameof(TextRow.Label),
                FeatureColumnName = "Features",
                ExampleWeightColumnName = nameof(TextRow.Weight),
                L2Regularization = 1e-2f,
                NumberOfThreads = 1,
            }));
        ct.ThrowIfCancellationRequested();
        context.Stage?.Progress(1);
        var model = pipeline.Fit(data);
        context.Stage?.Progress(2);
        ml.Model.Save(model, data.Schema, Path.Combine(context.Directory, ModelFile));
        context.Stage?.Progress(3);
        context.Stage!.Detail = $"{rows.Count} emails ({rows.Count(r => r.Label)} {positive}, {rows.Count(r => !r.Label)} {negative})";
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct)
    {
        var (negative, positive) = Classes(context.Data.Labels);
        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(Path.Combine(context.Directory, ModelFile), out _);
        var engine = ml.Model.CreatePredictionEngine<TextRow, Prediction>(model);
        return Task.FromResult<IRecipeAnswerer>(new Answerer(engine, negative, positive));
    }

    private static (string Negative, string Positive) Classes(IReadOnlyList<string> labels)
    {
        if (labels.Count != 2)
            throw new LeverUserException($"the classical baseline needs exactly two classes, the data has {labels.Count}: {string.Join(", ", labels)}",
                "leave it out with lab.recipes, or give data with two classes");
        // Labels are sorted: for ham/spam the positive class is spam.
        return (labels[0], labels[1]);
    }

    private sealed class Answerer(PredictionEngine<TextRow, Prediction> engine, string negative, string positive) : IRecipeAnswerer
    {
        public ValueTask<RecipeAnswer> AnswerAsync(LabExample example, CancellationToken ct)
        {
            var p = engine.Predict(new TextRow { Text = example.Text });
            return ValueTask.FromResult(new RecipeAnswer(p.PredictedLabel ? positive : negative));
        }

        public void Dispose() => engine.Dispose();
    }

    /// <summary>ML.NET's input row.</summary>
    internal sealed class TextRow
    {
        public string Text { get; set; } = "";

        public bool Label { get; set; }

        public float Weight { get; set; } = 1f;
    }

    /// <summary>ML.NET's output row.</summary>
    internal sealed class Prediction
    {
        [ColumnName("PredictedLabel")]
        public bool PredictedLabel { get; set; }
    }
}
