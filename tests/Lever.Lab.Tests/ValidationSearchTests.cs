using System.Collections;
using System.Reflection;
using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Lab.Data;
using Lever.Lab.Internal;
using Lever.Lab.Recipes;
using Lever.Lab.Recipes.Local;

namespace Lever.Lab.Tests;

/// <summary>
/// The settings search: it picks the candidate with the best validation score, resumes and reuses what it finished,
/// never sees the test split (by its API and at run time), and its choice is what the lab's reports state.
/// </summary>
public sealed class ValidationSearchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lever-search-test").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly SearchSplits Splits = new([new LabExample("t1", "g", "a", "", "", "x")], [new LabExample("v1", "g", "a", "", "", "y")]);

    // A planted score per learning rate: accuracy peaks at 2e-3, loss is lowest at 1e-3.
    private static CandidateScore Planted(double rate) => rate switch
    {
        0.002 => new CandidateScore(7, 0.40, 0.75),
        0.001 => new CandidateScore(9, 0.30, 0.70),
        _ => new CandidateScore(3, 0.90, 0.50),
    };

    private (SettingsSearch Search, string Folder, List<double> Trained) Run(string tag, IReadOnlyList<double> rates, Func<double, CandidateScore>? score = null, int failAt = -1)
    {
        var trained = new List<double>();
        var (search, folder) = ValidationSearch.Run(_dir, tag, Splits, rates, 10, (splits, rate, f, _) =>
        {
            Assert.Same(Splits, splits);
            if (trained.Count == failAt) throw new OperationCanceledException();
            trained.Add(rate);
            Directory.CreateDirectory(f);
            File.WriteAllText(Path.Combine(f, "rate"), rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            return (score ?? Planted)(rate);
        });
        return (search, folder, trained);
    }

    [Fact]
    public void It_chooses_the_highest_validation_accuracy_and_keeps_only_that_model()
    {
        var grid = ValidationSearch.Grid(0.002);
        Assert.Equal([0.002, 0.001, 0.004], grid);
        var (search, folder, trained) = Run("a", grid);
        Assert.Equal(grid, trained);
        // Computed here from the planted scores: 0.75 > 0.70 > 0.50, so 2e-3 at its best step 7.
        var best = grid.Select((r, i) => (Planted(r).ValidationAccuracy!.Value, i)).Max().i;
        Assert.Equal(best, search.Chosen);
        Assert.Equal(0.002, search.Best.LearningRate);
        Assert.Equal(7, search.Best.Score.BestStep);
        Assert.Equal(30, search.BudgetSteps);
        Assert.Equal("validation_accuracy", search.Metric);
        Assert.Equal("0.002", File.ReadAllText(Path.Combine(folder, "rate")));
        Assert.Single(Directory.GetDirectories(Path.Combine(_dir, "candidates")));
        Assert.Equal(search, ValidationSearch.Read(_dir), new SearchComparer());
    }

    [Fact]
    public void Without_accuracies_or_on_a_tie_the_lower_validation_loss_wins_then_the_earlier_candidate()
    {
        var (byLoss, _, _) = Run("loss", [0.002, 0.001, 0.004], r => Planted(r) with { ValidationAccuracy = null });
        Assert.Equal("validation_loss", byLoss.Metric);
        Assert.Equal(0.001, byLoss.Best.LearningRate);
        Directory.Delete(_dir, recursive: true);
        var (tie, _, _) = Run("tie", [0.002, 0.001, 0.004], _ => new CandidateScore(5, 0.5, 0.8));
        Assert.Equal(0, tie.Chosen);
        Directory.Delete(_dir, recursive: true);
        var (accuracyTied, _, _) = Run("acc-tie", [0.002, 0.001, 0.004], r => Planted(r) with { ValidationAccuracy = 0.5 });
        Assert.Equal((1, ValidationSearch.TiedMetric), (accuracyTied.Chosen, accuracyTied.Metric));
    }

    [Fact]
    public void An_interrupted_search_resumes_at_the_next_candidate_and_a_finished_one_trains_nothing_again()
    {
        var grid = ValidationSearch.Grid(0.002);
        Assert.Throws<OperationCanceledException>(() => Run("t", grid, failAt: 1));
        var (resumed, _, trained) = Run("t", grid);
        Assert.Equal([0.001, 0.004], trained);
        Assert.Equal(0.002, resumed.Best.LearningRate);
        Assert.Empty(Run("t", grid).Trained);
        // Other stage inputs: a new search.
        Assert.Equal(grid, Run("other", grid).Trained);
    }

    [Fact]
    public void The_search_api_takes_no_test_split()
    {
        // Structural: nothing the search is given can hold the test split (a LabDataset or RecipeContext would).
        foreach (var method in typeof(ValidationSearch).GetMethods(BindingFlags.Public | BindingFlags.Static))
            foreach (var p in method.GetParameters())
                Assert.True(p.ParameterType != typeof(LabDataset) && p.ParameterType != typeof(RecipeContext), $"{method.Name}({p.Name}) could carry the test split");
        Assert.Equal(["Train", "Validation"], typeof(SearchSplits).GetProperties().Select(p => p.Name).Where(n => n != "EqualityContract").Order());
    }

    [Fact]
    public async Task A_lab_fine_tune_searches_its_learning_rate_on_validation_states_it_and_never_reads_the_test_split()
    {
        var root = SyntheticCorpus.CreateWorkspace(perGroup: 6, extraLab: $"""
              recipes: [local-full-fine-tune]
            {SyntheticCorpus.TinyLlmSearched()}
              compute:
                requests_per_month: 1000
            """);
        try
        {
            var ws = Workspace.Open(root);
            async Task<LabReport> Lab()
            {
                var config = LabConfiguration.Load(ws);
                return await new LabRunner(ws, config, LabRunner.Recipes(config.Options), new RecordingObserver(), Lever.Reports.LabPages.Instance).RunAsync(CancellationToken.None);
            }
            var first = await Lab();
            var lab = Path.Combine(root, ".lever", "lab");
            var summary = JsonNode.Parse(File.ReadAllText(first.SummaryPath))!;
            var row = summary["recipes"]![0]!;
            var candidates = row["search"]!["candidates"]!.AsArray();
            Assert.Equal(3, candidates.Count);
            Assert.Equal([0.0005, 0.00025, 0.001], candidates.Select(c => c!["learning_rate"]!.GetValue<double>()));
            // The chosen one is the best by validation accuracy, then lower loss, then the earlier, computed here from the recorded scores.
            var expected = 0;
            for (var i = 1; i < candidates.Count; i++)
            {
                double Acc(int k) => candidates[k]!["validation_accuracy"]!.GetValue<double>();
                double Loss(int k) => candidates[k]!["validation_loss"]!.GetValue<double>();
                if (Acc(i) > Acc(expected) || (Acc(i) == Acc(expected) && Loss(i) < Loss(expected))) expected = i;
            }
            Assert.Equal(expected, row["search"]!["chosen"]!.GetValue<int>());
            Assert.Equal(3 * 2, row["search"]!["budget_steps"]!.GetValue<int>());
            Assert.Equal(RecipeSettings.Searched, row["settings"]!["fine_tune_learning_rate"]!["source"]!.GetValue<string>());
            Assert.Equal("set in lever.yaml", row["settings"]!["fine_tune_steps"]!["source"]!.GetValue<string>());
            Assert.Equal("sized", summary["sizing"]!["sources"]!["preset"]!.GetValue<string>());
            Assert.Equal("tiny", summary["sizing"]!["preset"]!.GetValue<string>());
            Assert.Contains("searched on validation", File.ReadAllText(Path.Combine(lab, "report.html")));

            // The recorded validation accuracy of the chosen model, recomputed here from the validation split.
            var validation = JsonLines.Read<LabExample>(Path.Combine(lab, "data", "validation.jsonl"));
            var labels = validation.Select(e => e.Label).Distinct().Order(StringComparer.Ordinal).ToList();
            using (var scorer = new LabelScorer(Path.Combine(lab, "recipes", "local-full-fine-tune", "model"), labels, 80, 148))
            {
                var correct = 0;
                foreach (var e in validation) if ((await scorer.AnswerAsync(e, CancellationToken.None)).Label == e.Label) correct++;
                Assert.Equal(candidates[expected]!["validation_accuracy"]!.GetValue<double>(), Math.Round(correct / (double)validation.Count, 4));
            }

            // Nothing changed: every stage, the search included, is reused.
            Assert.Empty((await Lab()).Ran);

            // The recipe's training, search included, on data whose test split throws when read.
            var config = LabConfiguration.Load(ws);
            config.Options.Llm.Resolve(LocalModelSizing.Size(20, 30, 600));
            var data = new LabDataset(labels, JsonLines.Read<LabExample>(Path.Combine(lab, "data", "train.jsonl")), validation, new UnreadableTest());
            var dir = Directory.CreateDirectory(Path.Combine(root, "retrain")).FullName;
            await new FineTuneRecipe(config.Options.Llm, lora: false).TrainAsync(new RecipeContext(ws, dir, data, null, Path.Combine(lab, "models", "base"), "retrain"), CancellationToken.None);
            Assert.Equal(3, ValidationSearch.Read(dir)!.Candidates.Count);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>A test split that fails the test if anything reads it.</summary>
    private sealed class UnreadableTest : IReadOnlyList<LabExample>
    {
        public LabExample this[int index] => throw new InvalidOperationException("the test split was read during training");
        public int Count => throw new InvalidOperationException("the test split was read during training");
        public IEnumerator<LabExample> GetEnumerator() => throw new InvalidOperationException("the test split was read during training");
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class SearchComparer : IEqualityComparer<SettingsSearch?>
    {
        public bool Equals(SettingsSearch? x, SettingsSearch? y) => x is not null && y is not null && x.Metric == y.Metric && x.Chosen == y.Chosen && x.BudgetSteps == y.BudgetSteps && x.Candidates.SequenceEqual(y.Candidates);
        public int GetHashCode(SettingsSearch? obj) => 0;
    }
}
