using System.Globalization;
using Lever.Core;
using Lever.Core.Levers;
using Lever.Lab.Data;
using Lever.Lab.Internal;

namespace Lever.Lab.Recipes.Local;

/// <summary>
/// Distillation on hard labels (the sequence-level / pseudo-label form, Kim and Rush 2016): the teacher — the lab's
/// best recipe, the full fine-tune, trained first — labels the training and validation emails with their human labels
/// hidden, and a student starting from the same pre-trained base is fine-tuned (every weight, same steps) on the
/// teacher's labels only, balanced by the teacher's classes; its best checkpoint is chosen on teacher-labelled
/// validation too, so the student never sees a human label. Test emails are never shown to the teacher.
/// The student here is the same tiny size as the teacher: the row measures what learning from a teacher's labels
/// instead of human ones costs in accuracy, not a smaller model's speed.
/// </summary>
public sealed class DistilledStudentRecipe(LabLanguageModelOptions options) : LocalModelRecipe(options)
{
    /// <summary>The teacher recipe; it must run before the student.</summary>
    public static readonly string TeacherName = new FineTuneRecipe(new LabLanguageModelOptions(), lora: false).Name;

    private const string LabelsFile = "teacher-labels.jsonl";

    private readonly FineTuneRecipe _teacher = new(options, lora: false);

    /// <inheritdoc/>
    public override string Name => "local-distilled";

    /// <inheritdoc/>
    public override LeverKind Lever => LeverKind.Distill;

    /// <inheritdoc/>
    public override string Description => $"the pre-trained {Options.Preset} model fine-tuned only on {TeacherName}'s labels of the training and validation examples";

    /// <inheritdoc/>
    public override string Fingerprint => $"distill-v1;teacher={_teacher.Fingerprint};lr={LearningRate.ToString("R", CultureInfo.InvariantCulture)}";

    /// <inheritdoc/>
    public override string? BuildsOn => TeacherName;

    /// <inheritdoc/>
    public override IReadOnlyList<string> Artifacts => [LabelsFile, $"{FineTuneRecipe.ModelDir}/model.safetensors"];

    private static double LearningRate => 5e-4;

    /// <inheritdoc/>
    public override async Task TrainAsync(RecipeContext context, CancellationToken ct)
    {
        var teacherModel = Path.Combine(Path.GetDirectoryName(context.Directory)!, TeacherName, FineTuneRecipe.ModelDir);
        if (!File.Exists(Path.Combine(teacherModel, "model.safetensors")))
            throw new LeverUserException($"{Name}: the teacher {TeacherName} has no trained model at {teacherModel}", $"add {TeacherName} to lab.recipes (before {Name})");
        var unlabeled = context.Data.Train.Concat(context.Data.Validation).ToList();
        var labels = new List<TeacherLabel>(unlabeled.Count);
        using (var teacher = new LabelScorer(teacherModel, context.Data.Labels, Options.PromptChars, PromptTokens))
        {
            context.Stage?.Start(unlabeled.Count);
            foreach (var e in unlabeled)
            {
                ct.ThrowIfCancellationRequested();
                // The human label is hidden: the teacher sees the same prompt it would at test time.
                var answer = await teacher.AnswerAsync(e with { Label = "" }, ct).ConfigureAwait(false);
                labels.Add(new TeacherLabel(e.Id, answer.Label));
                context.Stage?.Progress(labels.Count);
            }
        }
        JsonLines.Write(Path.Combine(context.Directory, LabelsFile), labels);
        var byId = labels.ToDictionary(l => l.Id, l => l.Label, StringComparer.Ordinal);
        var train = context.Data.Train.Select(e => e with { Label = byId[e.Id] }).ToList();
        var validation = context.Data.Validation.Select(e => e with { Label = byId[e.Id] }).ToList();
        var agreement = unlabeled.Count(e => byId[e.Id] == e.Label) / (double)unlabeled.Count;
        context.Stage?.Info($"{Name}: the teacher labelled {unlabeled.Count} examples ({train.Count(e => e.Label == "spam")} + {validation.Count(e => e.Label == "spam")} spam); it agrees with the hidden human labels on {agreement:P1}");
        FineTuneRecipe.Train(context, Options, Name, lora: false, LearningRate, FineTuneRecipe.Balanced(train), validation, ct);
        context.Stage?.SetValue("teacher_agreement", agreement);
    }

    /// <inheritdoc/>
    public override Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct) =>
        Task.FromResult<IRecipeAnswerer>(TunedScorer(context));

    private sealed record TeacherLabel(string Id, string Label);
}
