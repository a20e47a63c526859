// A fine-tune's learning rate and step count chosen on the validation split by a small, stated search: a grid of
// learning rates, each one training run whose best checkpoint by validation loss is its step count (early stopping
// at the run's evaluations), scored on validation. Deterministic (fixed seeds, fixed grid order), and resumable: each
// finished candidate is recorded in search.json under the stage's inputs, so an interrupted search resumes at the next.
using System.Globalization;
using System.Text.Json;
using Lever.Lab.Data;
using Lever.Lab.Internal;

namespace Lever.Lab.Recipes.Local;

/// <summary>What a search may see: the training split to train on and the validation split to score on — never the test.</summary>
/// <param name="Train">Examples the candidates train on.</param>
/// <param name="Validation">Examples the candidates are scored on.</param>
public sealed record SearchSplits(IReadOnlyList<LabExample> Train, IReadOnlyList<LabExample> Validation);

/// <summary>How one candidate scored on validation.</summary>
/// <param name="BestStep">The step of its best validation-loss checkpoint (the step count it stands for).</param>
/// <param name="ValidationLoss">Validation loss of that checkpoint.</param>
/// <param name="ValidationAccuracy">Its validation accuracy, answering as on test (null where there are no labels: extraction).</param>
public sealed record CandidateScore(int BestStep, double ValidationLoss, double? ValidationAccuracy);

/// <summary>One candidate the search tried: its settings and its validation scores.</summary>
/// <param name="LearningRate">Peak learning rate.</param>
/// <param name="MaxSteps">The run's length; the candidate's model is its best checkpoint within it.</param>
/// <param name="Score">Its validation scores.</param>
public sealed record SearchCandidate(double LearningRate, int MaxSteps, CandidateScore Score);

/// <summary>A finished search: the budget, every candidate tried with its validation scores, and which one was chosen.</summary>
/// <param name="Metric">What chose: <c>validation_accuracy</c>; <c>validation_loss</c> (no accuracies: extraction); or <see cref="ValidationSearch.TiedMetric"/>.</param>
/// <param name="BudgetSteps">Optimizer steps the search was allowed: candidates × steps per run.</param>
/// <param name="Candidates">The candidates in the order tried.</param>
/// <param name="Chosen">Index of the chosen candidate.</param>
public sealed record SettingsSearch(string Metric, int BudgetSteps, IReadOnlyList<SearchCandidate> Candidates, int Chosen)
{
    /// <summary>The chosen candidate.</summary>
    public SearchCandidate Best => Candidates[Chosen];
}

/// <summary>Runs a learning-rate grid on validation (see the file header).</summary>
public static class ValidationSearch
{
    /// <summary>The step of the lowest validation loss in a training run's metrics.jsonl (the checkpoint the trainer keeps); its last step without validation.</summary>
    public static int BestStep(string runDirectory)
    {
        var (best, loss, last) = (0, double.PositiveInfinity, 0);
        foreach (var line in System.IO.File.ReadLines(Path.Combine(runDirectory, "metrics.jsonl")))
        {
            var step = JsonSerializer.Deserialize<Training.Trainer.StepRecord>(line)!;
            last = step.Step;
            if (step.ValidationLoss is { } v && v < loss) (best, loss) = (step.Step, v);
        }
        return best == 0 ? last : best;
    }

    /// <summary>The record of finished candidates in the recipe folder.</summary>
    public const string File = "search.json";

    /// <summary>The grid around a default learning rate, the default first (ties keep it): ×1, ×½, ×2.</summary>
    public static IReadOnlyList<double> Grid(double defaultRate) => [defaultRate, defaultRate / 2, defaultRate * 2];

    /// <summary>
    /// The best candidate: highest validation accuracy when every candidate has one, else (or on a tie) lowest
    /// validation loss, else the earliest tried.
    /// </summary>
    public static int Choose(IReadOnlyList<SearchCandidate> candidates)
    {
        ArgumentOutOfRangeException.ThrowIfZero(candidates.Count);
        var byAccuracy = candidates.All(c => c.Score.ValidationAccuracy is not null);
        var best = 0;
        for (var i = 1; i < candidates.Count; i++)
        {
            var (c, b) = (candidates[i].Score, candidates[best].Score);
            var better = byAccuracy && c.ValidationAccuracy != b.ValidationAccuracy ? c.ValidationAccuracy > b.ValidationAccuracy : c.ValidationLoss < b.ValidationLoss;
            if (better) best = i;
        }
        return best;
    }

    /// <summary>
    /// Trains each learning rate of <paramref name="rates"/> for <paramref name="steps"/> steps with
    /// <paramref name="train"/> (into its own folder under <paramref name="directory"/>, from <paramref name="splits"/>
    /// only) and returns the search with the chosen candidate's folder. Candidates recorded in search.json under the
    /// same <paramref name="tag"/> are not trained again; the folders of candidates that lost are deleted.
    /// </summary>
    public static (SettingsSearch Search, string Folder) Run(string directory, string tag, SearchSplits splits, IReadOnlyList<double> rates, int steps,
        Func<SearchSplits, double, string, CancellationToken, CandidateScore> train, Action<string>? log = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(splits);
        ArgumentNullException.ThrowIfNull(train);
        var path = Path.Combine(directory, File);
        // Finished candidates of this same search (same inputs, same grid prefix) are kept, if the best one's model is still there.
        var done = Load(path, tag).Zip(rates, (c, r) => (c, r)).TakeWhile(p => p.c.LearningRate == p.r && p.c.MaxSteps == steps).Select(p => p.c).ToList();
        if (done.Count > 0 && !Directory.Exists(Folder(directory, Choose(done)))) done.Clear();
        if (done.Count > 0 && done.Count < rates.Count) log?.Invoke($"resuming the settings search at candidate {done.Count + 1} of {rates.Count}");
        for (var i = done.Count; i < rates.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var score = train(splits, rates[i], Folder(directory, i), ct);
            done.Add(new SearchCandidate(rates[i], steps, score));
            // Keep only the best model so far: a losing candidate's weights are never needed again.
            var best = Choose(done);
            for (var j = 0; j < done.Count; j++)
                if (j != best && Directory.Exists(Folder(directory, j))) Directory.Delete(Folder(directory, j), recursive: true);
            Save(path, new Record(tag, Metric(done), rates.Count * steps, done));
            log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"candidate {i + 1}/{rates.Count}: learning rate {rates[i]:G3}, best step {score.BestStep} of {steps}, validation loss {score.ValidationLoss:0.000}{(score.ValidationAccuracy is { } a ? $", accuracy {a:P2}" : "")}"));
        }
        var chosen = Choose(done);
        return (new SettingsSearch(Metric(done), rates.Count * steps, done, chosen), Folder(directory, chosen));
    }

    /// <summary>The search recorded in <paramref name="directory"/> (the recipe folder), or null when none ran there.</summary>
    public static SettingsSearch? Read(string directory)
    {
        var path = Path.Combine(directory, File);
        if (!System.IO.File.Exists(path)) return null;
        var record = JsonSerializer.Deserialize<Record>(System.IO.File.ReadAllText(path), JsonLines.Options)!;
        return record.Candidates.Count == 0 ? null : new SettingsSearch(record.Metric, record.BudgetSteps, record.Candidates, Choose(record.Candidates));
    }

    private static string Folder(string directory, int candidate) => Path.Combine(directory, "candidates", candidate.ToString(CultureInfo.InvariantCulture));

    private static List<SearchCandidate> Load(string path, string tag)
    {
        if (!System.IO.File.Exists(path)) return [];
        var record = JsonSerializer.Deserialize<Record>(System.IO.File.ReadAllText(path), JsonLines.Options);
        return record?.Tag == tag ? [.. record.Candidates] : [];
    }

    // What decided: accuracy; or the loss, where there are no accuracies or another candidate had the winner's accuracy.
    private static string Metric(IReadOnlyList<SearchCandidate> candidates)
    {
        if (!candidates.All(c => c.Score.ValidationAccuracy is not null)) return "validation_loss";
        var best = candidates[Choose(candidates)].Score;
        return candidates.Any(c => c.Score.ValidationAccuracy == best.ValidationAccuracy && c.Score.ValidationLoss != best.ValidationLoss)
            ? TiedMetric : "validation_accuracy";
    }

    /// <summary>The <see cref="SettingsSearch.Metric"/> when candidates tied on validation accuracy and the loss chose.</summary>
    public const string TiedMetric = "validation_loss (validation accuracy tied)";

    private static void Save(string path, Record record)
    {
        var temp = path + ".tmp";
        System.IO.File.WriteAllText(temp, JsonSerializer.Serialize(record, JsonLines.Options));
        System.IO.File.Move(temp, path, overwrite: true);
    }

    private sealed record Record(string Tag, string Metric, int BudgetSteps, IReadOnlyList<SearchCandidate> Candidates);
}
