using System.Globalization;
using System.Text.Json;
using Lever.Core;
using Lever.Core.Levers;
using Lever.Lab.Data;
using Lever.Lab.Internal;
using Lever.Lab.Recipes.Local;
using Lever.Lab.Recipes.Provider.Internal;

namespace Lever.Lab.Recipes.Provider;

/// <summary>
/// The distilled student with a hosted teacher (<c>lab.distill.teacher: provider</c>; Kim and Rush 2016's
/// pseudo-label form, as the local-teacher student): the hosted model, prompted as the few-shot recipe is, labels the
/// training and validation emails with their human labels hidden, and the lab's pre-trained model is fine-tuned
/// (every weight) on those labels only, balanced by the teacher's classes, its best checkpoint chosen on
/// teacher-labelled validation. The few-shot examples themselves are left out of the labelled set (the teacher would
/// only copy their label back), so no human label reaches the student. Labelling is resumable per email and billed:
/// its token cost is part of the student's training cost.
/// </summary>
public sealed class ProviderTaughtStudentRecipe(LabLanguageModelOptions options, HostedModel teacher) : LocalModelRecipe(options), IProviderBackedRecipe
{
    /// <summary>The teacher's labels, one per email: id, label, the hidden human label, cost.</summary>
    public const string LabelsFile = "teacher-labels.jsonl";

    private const string PartialFile = "teacher-labels.partial.jsonl";

    // As the local-teacher student: the same base, steps and learning rate, so the two rows differ only in the teacher.
    private const double LearningRate = 5e-4;

    private readonly FineTuneRecipe _fineTune = new(options, lora: false);

    /// <inheritdoc/>
    public override string Name => "local-distilled";

    /// <inheritdoc/>
    public override LeverKind Lever => LeverKind.Distill;

    /// <inheritdoc/>
    public override string Description =>
        $"the pre-trained {Options.Preset} model fine-tuned only on the labels of teacher {teacher.Title}, prompted few-shot, of the training and validation examples";

    /// <inheritdoc/>
    public override string Fingerprint =>
        $"distill-provider-v1;teacher={teacher.Fingerprint};shots={teacher.Options.FewShot};shot_chars={teacher.Options.ShotChars};chars={teacher.Options.PromptChars};student={_fineTune.Fingerprint};lr={LearningRate.ToString("R", CultureInfo.InvariantCulture)}";

    /// <inheritdoc/>
    public string ProviderName => teacher.Provider;

    /// <summary>The student answers locally, on every test email.</summary>
    public int? MaxTestItems => null;

    /// <inheritdoc/>
    public override IReadOnlyList<string> Artifacts => [LabelsFile, $"{FineTuneRecipe.ModelDir}/model.safetensors"];

    /// <inheritdoc/>
    public override async Task TrainAsync(RecipeContext context, CancellationToken ct)
    {
        var data = context.Data;
        var shots = HostedPromptRecipe.FixedExamples(data.Train, data.Labels, teacher.Options.FewShot);
        var shown = shots.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var unlabeled = data.Train.Concat(data.Validation).Where(e => !shown.Contains(e.Id)).ToList();
        var labels = await LabelAsync(context, unlabeled, shots, ct).ConfigureAwait(false);

        var byId = labels.ToDictionary(l => l.Id, StringComparer.Ordinal);
        // A reply that names no label teaches nothing: that email is left out of the student's data.
        bool Usable(LabExample e) => data.Labels.Contains(byId[e.Id].Label);
        var train = data.Train.Where(e => byId.ContainsKey(e.Id) && Usable(e)).Select(e => e with { Label = byId[e.Id].Label }).ToList();
        var validation = data.Validation.Where(e => byId.ContainsKey(e.Id) && Usable(e)).Select(e => e with { Label = byId[e.Id].Label }).ToList();
        var unparsed = labels.Count(l => !data.Labels.Contains(l.Label));
        var agreement = labels.Count(l => l.Label == l.Human) / (double)labels.Count;
        var billed = labels.Sum(l => l.CostUsd);
        context.Stage?.Info($"{Name}: teacher {teacher.Title} labelled {labels.Count} examples ({string.Join(", ", data.Labels.Select(c => $"{labels.Count(l => l.Label == c)} {c}"))}"
            + $"{(unparsed > 0 ? $", {unparsed} unparseable replies left out" : "")}) for ${billed:0.####}; it agrees with the hidden human labels on {agreement:P1}");
        if (train.Select(e => e.Label).Distinct().Count() < 2)
            throw new LeverUserException($"{Name}: teacher {teacher.Title} gave the training examples fewer than two classes; the student cannot learn from that",
                "check the hosted model's answers in .lever/lab/recipes/local-distilled/teacher-labels.jsonl, or set lab.distill.teacher: local");
        FineTuneRecipe.Train(context, Options, Name, lora: false, LearningRate, FineTuneRecipe.Balanced(train), validation, ct);
        context.Stage?.SetValue("teacher_agreement", agreement);
        context.Stage?.SetValue(TrainBilledUsd, billed);
    }

    /// <summary>The stage value holding what a recipe's training paid a provider (USD), added to its training cost.</summary>
    public const string TrainBilledUsd = "train_billed_usd";

    /// <inheritdoc/>
    public override Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct) =>
        Task.FromResult<IRecipeAnswerer>(TunedScorer(context));

    /// <summary>
    /// Asks the teacher for every email, <c>max_concurrency</c> at a time; each label is appended and flushed to a partial
    /// file tagged with the stage's inputs, so an interrupted run pays only for the emails not yet labelled.
    /// </summary>
    private async Task<List<TeacherLabel>> LabelAsync(RecipeContext context, List<LabExample> unlabeled, IReadOnlyList<LabExample> shots, CancellationToken ct)
    {
        var partial = Path.Combine(context.Directory, PartialFile);
        var tag = partial + ".inputs";
        var done = File.Exists(partial) && File.Exists(tag) && File.ReadAllText(tag) == context.StageInputs
            ? JsonLines.Read<TeacherLabel>(partial, tolerateTornTail: true) : [];
        JsonLines.Write(partial, done);
        File.WriteAllText(tag, context.StageInputs);
        var have = done.Select(l => l.Id).ToHashSet(StringComparer.Ordinal);
        if (have.Count > 0) context.Stage?.Info($"{Name}: resuming the teacher's labelling at email {have.Count + 1} of {unlabeled.Count}");
        context.Stage?.Start(unlabeled.Count);

        using var classifier = new HostedClassifier(teacher.CreateClient(), teacher, context.Data.Labels, _ => shots);
        var gate = new Lock();
        var count = have.Count;
        await using (var writer = new StreamWriter(partial, append: true))
        {
            await Parallel.ForEachAsync(unlabeled.Where(e => !have.Contains(e.Id)), new ParallelOptions { MaxDegreeOfParallelism = classifier.MaxConcurrency, CancellationToken = ct },
                async (e, token) =>
                {
                    // The human label is hidden: the teacher sees the email as a test email would be shown.
                    var answer = await classifier.AnswerAsync(e with { Label = "" }, token).ConfigureAwait(false);
                    var line = new TeacherLabel(e.Id, answer.Label, e.Label, answer.CostUsd ?? 0);
                    lock (gate)
                    {
                        writer.WriteLine(JsonSerializer.Serialize(line, JsonLines.Options));
                        writer.Flush();
                        done.Add(line);
                        context.Stage?.Progress(++count);
                    }
                }).ConfigureAwait(false);
        }
        var order = unlabeled.Select((e, i) => (e.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        var labels = done.Where(l => order.ContainsKey(l.Id)).OrderBy(l => order[l.Id]).ToList();
        JsonLines.Write(Path.Combine(context.Directory, LabelsFile), labels);
        File.Delete(partial);
        File.Delete(tag);
        return labels;
    }

    /// <summary>One line of the teacher's labels.</summary>
    internal sealed record TeacherLabel(string Id, string Label, string Human, double CostUsd);
}
