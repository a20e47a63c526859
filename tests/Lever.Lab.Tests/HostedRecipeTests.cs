using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Core.Levers;
using Lever.Evals.Scoring;
using Lever.Evals.Running;
using Lever.Providers;
using Lever.Lab.Data;
using Lever.Lab.Internal;
using Lever.Lab.Recipes.Provider;
using Lever.Lab.Reporting;

namespace Lever.Lab.Tests;

/// <summary>
/// The hosted model's recipes against an OpenAI-compatible server on 127.0.0.1 that classifies by a planted rule and
/// reports token usage: accuracy and cost must be what the rule and the usage imply, computed here independently.
/// </summary>
public sealed class HostedRecipeTests : IDisposable
{
    // gpt-4o-mini in the advisor's price book (USD per million tokens): the provider entry states no prices.
    private const double Input = 0.15, CachedInput = 0.075, Output = 0.60;

    private readonly FakeOpenAiServer _server = new(answer: PlantedSpamRule.Answer);
    private readonly List<string> _roots = [];

    public void Dispose()
    {
        _server.Dispose();
        foreach (var r in _roots) Directory.Delete(r, recursive: true);
    }

    private string Workspace(string lab, int concurrency = 4, int retries = 3)
    {
        var root = SyntheticCorpus.CreateWorkspace(perGroup: 24, extraLab: lab);
        _roots.Add(root);
        File.AppendAllText(Path.Combine(root, "lever.yaml"), $"""

            providers:
              fake:
                base_url: {_server.BaseUrl}
                api_key_env: LEVER_TEST_LAB_KEY
                model: gpt-4o-mini
                max_concurrency: {concurrency}
                max_retries: {retries}
            """);
        return root;
    }

    private static ProviderConnection Connection => new()
    {
        GetEnvironment = n => n == "LEVER_TEST_LAB_KEY" ? "sk-lab-test" : null,
        BaseDelay = TimeSpan.FromMilliseconds(1),
    };

    private static async Task<(LabReport Report, RecordingObserver Observer)> Run(string root)
    {
        var ws = Core.Workspace.Open(root);
        var config = LabConfiguration.Load(ws);
        var observer = new RecordingObserver();
        var report = await new LabRunner(ws, config, LabRunner.Recipes(config, ws, Connection), observer, Lever.Reports.LabPages.Instance).RunAsync(CancellationToken.None);
        return (report, observer);
    }

    /// <summary>What the planted rule makes the lab predict: its reply parsed, or null for the reply that names no label.</summary>
    private static string? Expected(LabExample e) => PlantedSpamRule.Answer("Email:\n" + e.Text) switch
    {
        "Spam." => "spam",
        "ham" => "ham",
        _ => null,
    };

    private static double CallCost((int Messages, string LastUser, long Prompt, long Cached, long Completion, string? Auth) c) =>
        ((c.Prompt - c.Cached) * Input + c.Cached * CachedInput + c.Completion * Output) / 1e6;

    [Fact]
    public async Task A_configured_provider_adds_three_hosted_rows_scored_by_the_planted_rule_and_priced_from_measured_usage()
    {
        var root = Workspace("""
              recipes: [baseline-logreg]
              provider:
                few_shot: 2
                rag_k: 3
            """);
        var (report, _) = await Run(root);

        Assert.Equal(["baseline-logreg", "hosted-zero-shot", "hosted-few-shot", "hosted-rag-few-shot"], report.Results.Select(r => r.Name));
        Assert.Equal([LeverKind.Baseline, LeverKind.Prompt, LeverKind.Prompt, LeverKind.Rag], report.Results.Select(r => r.Lever));
        Assert.Null(report.ProviderFailure);
        var lab = Path.Combine(root, ".lever", "lab");
        var test = JsonLines.Read<LabExample>(Path.Combine(lab, "data", "test.jsonl"));
        var validation = JsonLines.Read<LabExample>(Path.Combine(lab, "data", "validation.jsonl"));
        Assert.All(test, e => Assert.True(e.Text.Length < 2000)); // the whole email is in the prompt, as the rule below assumes

        // Accuracy as the rule implies; a reply naming no label is wrong and counted in the "(invalid)" column.
        var expectedAccuracy = test.Count(e => Expected(e) == e.Label) / (double)test.Count;
        var unparsed = test.Count(e => Expected(e) is null);
        Assert.InRange(expectedAccuracy, 0.5, 0.95); // the rule is imperfect on purpose: money-less spam is called ham
        Assert.True(unparsed > 0);
        var warmup = "Email:\n" + validation[0].Text;
        var messagesPerCall = new Dictionary<string, int> { ["hosted-zero-shot"] = 2, ["hosted-few-shot"] = 2 + 2 * 2, ["hosted-rag-few-shot"] = 2 + 2 * 3 };
        foreach (var r in report.Results.Skip(1))
        {
            Assert.Equal(test.Count, r.Metrics.Count);
            Assert.Equal(expectedAccuracy, r.Metrics.Accuracy, 12);
            Assert.Equal(unparsed, r.Metrics.Labels.Sum(label => r.Metrics.Cell(label, ClassificationReport.Invalid)));
            Assert.Contains("gpt-4o-mini (provider 'fake')", r.Description, StringComparison.Ordinal);

            // Each answer's cost is its call's usage × the price book, cached input at its own price; the row's answer
            // cost per 1k is the mean of those (no local CPU is billed for waiting on the network).
            List<(int Messages, string LastUser, long Prompt, long Cached, long Completion, string? Auth)> calls;
            lock (_server.Calls) calls = _server.Calls.Where(c => c.Messages == messagesPerCall[r.Name] && c.LastUser != warmup).ToList();
            Assert.Equal(test.Count, calls.Count);
            Assert.All(calls, c => Assert.True(c.Cached > 0 && c.Cached < c.Prompt));
            Assert.Equal(1000 * calls.Average(CallCost), r.Cost.AnswerPer1kUsd, 1e-12);
            var lines = ResultStore<ItemResult>.ReadAll(Path.Combine(lab, "recipes", r.Name, "eval", EvalRunner.ResultsFile));
            Assert.Equal(calls.Select(CallCost).Order(), lines.Select(l => l.BilledUsd!.Value).Order(), new Tolerance());
            Assert.True(r.LatencyMsP50 > 0);
        }
        // Few-shot turns cost more input than zero-shot ones; the key went only in the Authorization header.
        Assert.True(report.Results[2].Cost.AnswerPer1kUsd > report.Results[1].Cost.AnswerPer1kUsd);
        lock (_server.Calls) Assert.All(_server.Calls, c => Assert.Equal("Bearer sk-lab-test", c.Auth));
        Assert.True(_server.MaxInFlight > 1, "max_concurrency 4 keeps several requests in flight");

        // Few-shot: the fixed training examples as user/assistant turns before the email; retrieval few-shot: the 3 most
        // similar training emails from the lab's BM25 index, most similar last.
        var train = JsonLines.Read<LabExample>(Path.Combine(lab, "data", "train.jsonl"));
        List<IReadOnlyList<(string Role, string Text)>> conversations;
        lock (_server.Calls) conversations = [.. _server.Conversations];
        string Turn(LabExample e) => "Email:\n" + (e.Text.Length > 600 ? e.Text[..600] : e.Text);
        var shots = HostedPromptRecipe.FixedExamples(train, ["ham", "spam"], 2);
        var few = conversations.First(c => c.Count == 6);
        Assert.Equal(["system", "user", "assistant", "user", "assistant", "user"], few.Select(m => m.Role));
        Assert.Equal(shots.SelectMany(e => new[] { Turn(e), e.Label }), few.Skip(1).Take(4).Select(m => m.Text));
        using (var index = await Recipes.Retrieval.TrainingEmailIndex.OpenAsync(Path.Combine(lab, "recipes", "hosted-rag-few-shot"), train, CancellationToken.None))
        {
            foreach (var rag in conversations.Where(c => c.Count == 8).Take(5))
            {
                var query = test.Concat(validation).First(e => "Email:\n" + e.Text == rag[^1].Text);
                var neighbours = index.Neighbours(query, 3).Select(n => n.Example).Reverse().ToList();
                Assert.Equal(neighbours.SelectMany(e => new[] { Turn(e), e.Label }), rag.Skip(1).Take(6).Select(m => m.Text));
            }
        }

        // The retrieval few-shot examples come from the lab's BM25 index of the training emails.
        var corpus = JsonLines.Read<JsonObject>(Path.Combine(lab, "recipes", "hosted-rag-few-shot", "index-source", "emails.jsonl"));
        Assert.Equal(JsonLines.Read<LabExample>(Path.Combine(lab, "data", "train.jsonl")).Select(e => e.Id), corpus.Select(o => (string)o["id"]!));

        // summary.json carries the hosted rows in the specified shape.
        var summary = JsonNode.Parse(File.ReadAllText(report.SummaryPath))!;
        var hosted = summary["recipes"]!.AsArray().Single(r => (string)r!["name"]! == "hosted-few-shot")!.AsObject();
        Assert.Equal(["name", "lever", "accuracy", "macro_f1", "latency_ms_p50", "latency_ms_p95", "cost_per_1k_usd", "train_seconds", "quality", "inference_backend", "inference_quantization"], hosted.Select(p => p.Key));

        // Nothing changed: nothing is asked again.
        int before;
        lock (_server.Calls) before = _server.Calls.Count;
        var (again, _) = await Run(root);
        Assert.Empty(again.Ran);
        lock (_server.Calls) Assert.Equal(before, _server.Calls.Count);
    }

    [Fact]
    public async Task A_refused_key_skips_the_hosted_rows_keeps_the_local_ones_and_a_fixed_key_runs_only_the_hosted_stages()
    {
        var root = Workspace("  recipes: [baseline-logreg]\n");
        _server.Status = 401;
        var (report, observer) = await Run(root);

        var failure = Assert.IsType<LeverUserException>(report.ProviderFailure);
        Assert.Contains("provider 'fake'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("refused the API key (401)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("api_key_env", failure.Hint, StringComparison.Ordinal);
        Assert.Equal(["baseline-logreg"], report.Results.Select(r => r.Name));
        Assert.True(File.Exists(report.SummaryPath));
        var warnings = JsonNode.Parse(File.ReadAllText(report.SummaryPath))!["recommendation"]!["warnings"]!.AsArray().Select(w => (string)w!).ToList();
        Assert.Contains(warnings, w => w.StartsWith("hosted-zero-shot was not measured: provider 'fake'", StringComparison.Ordinal) && w.Contains("fix:", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("hosted-few-shot was not run: provider 'fake' failed earlier", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("hosted-rag-few-shot was not run", StringComparison.Ordinal));
        Assert.Contains(observer.Messages, m => m.Contains("the local rows are kept", StringComparison.Ordinal));
        // One refused call, then no more: the other hosted recipes were not tried.
        Assert.DoesNotContain(observer.Started, s => s == "eval:hosted-few-shot");

        _server.Status = 200;
        var (fixedRun, _) = await Run(root);
        Assert.Null(fixedRun.ProviderFailure);
        Assert.Contains("eval:baseline-logreg", fixedRun.Reused);
        Assert.Contains("train:baseline-logreg", fixedRun.Reused);
        Assert.Contains("eval:hosted-zero-shot", fixedRun.Ran);
        Assert.Equal(4, fixedRun.Results.Count);
    }

    [Fact]
    public async Task A_provider_failing_mid_run_keeps_its_answers_and_the_next_run_resumes_at_the_first_unanswered_item()
    {
        var root = Workspace("  recipes: [baseline-logreg, hosted-zero-shot]\n", concurrency: 1, retries: 0);
        _server.FailAfter = 11; // the warm-up and 10 answers
        var (report, _) = await Run(root);
        Assert.IsType<Lever.Providers.ProviderCallException>(report.ProviderFailure);
        Assert.Contains("provider 'fake'", report.ProviderFailure!.Message, StringComparison.Ordinal);
        var partial = Path.Combine(root, ".lever", "lab", "recipes", "hosted-zero-shot", "eval", EvalRunner.ResultsFile);
        Assert.Equal(10, File.ReadAllLines(partial).Length);

        _server.FailAfter = null;
        var (resumed, observer) = await Run(root);
        Assert.Contains(observer.Messages, m => m.Contains("hosted-zero-shot: resuming evaluation at item 11 of 48", StringComparison.Ordinal));
        lock (_server.Calls) Assert.Equal(11 + 1 + 38, _server.Calls.Count); // then one more warm-up and the 38 unanswered
        Assert.Equal(48, resumed.Results.Single(r => r.Name == "hosted-zero-shot").Metrics.Count);
    }

    [Fact]
    public async Task Max_test_items_caps_every_hosted_row_to_the_same_seeded_sample_and_says_so()
    {
        var root = Workspace("""
              recipes: [baseline-logreg, hosted-zero-shot, hosted-few-shot]
              provider:
                max_test_items: 10
            """);
        var (report, _) = await Run(root);
        Assert.Equal(["baseline-logreg", "hosted-zero-shot", "hosted-few-shot"], report.Results.Select(r => r.Name));
        Assert.Equal(48, report.Results[0].Metrics.Count);
        var lab = Path.Combine(root, ".lever", "lab", "recipes");
        var ids = report.Results.Skip(1).Select(r => ResultStore<ItemResult>.ReadAll(Path.Combine(lab, r.Name, "eval", EvalRunner.ResultsFile)).Select(p => p.Id).ToList()).ToList();
        Assert.All(ids, l => Assert.Equal(10, l.Count));
        Assert.Equal(ids[0], ids[1]);
        Assert.Equal(2, ResultStore<ItemResult>.ReadAll(Path.Combine(lab, "hosted-zero-shot", "eval", EvalRunner.ResultsFile)).Select(p => p.Expected).Distinct().Count());
        var warnings = report.Recommendation.Warnings.ToList();
        Assert.Contains(warnings, w => w.StartsWith("hosted-zero-shot was measured on a seeded sample of 10 of the 48 test items", StringComparison.Ordinal));

        // A larger cap re-runs the hosted evaluations but pays only for the emails not answered yet (the sample grows in
        // the same hash order): per recipe a warm-up and 10 new calls.
        int before;
        lock (_server.Calls) before = _server.Calls.Count;
        File.WriteAllText(Path.Combine(root, "lever.yaml"), File.ReadAllText(Path.Combine(root, "lever.yaml")).Replace("max_test_items: 10", "max_test_items: 20", StringComparison.Ordinal));
        var (larger, _) = await Run(root);
        lock (_server.Calls) Assert.Equal(2 * (1 + 10), _server.Calls.Count - before);
        Assert.All(larger.Results.Skip(1), r => Assert.Equal(20, r.Metrics.Count));
        Assert.Contains("eval:hosted-zero-shot", larger.Ran);
        Assert.Contains("eval:baseline-logreg", larger.Reused);
        var grown = ResultStore<ItemResult>.ReadAll(Path.Combine(lab, "hosted-zero-shot", "eval", EvalRunner.ResultsFile)).Select(p => p.Id).ToList();
        Assert.Subset(grown.ToHashSet(), ids[0].ToHashSet());
    }

    [Fact]
    public async Task Answers_without_usage_and_a_model_without_a_price_are_reported_not_silently_free()
    {
        var root = Workspace("  recipes: [baseline-logreg, hosted-zero-shot]\n");
        File.WriteAllText(Path.Combine(root, "lever.yaml"), File.ReadAllText(Path.Combine(root, "lever.yaml")).Replace("model: gpt-4o-mini", "model: mystery-model", StringComparison.Ordinal));
        _server.OmitUsage = true;
        var (report, _) = await Run(root);
        var row = report.Results.Single(r => r.Name == "hosted-zero-shot");
        Assert.Equal(0, row.Cost.AnswerPer1kUsd);
        var warnings = report.Recommendation.Warnings.ToList();
        Assert.Contains("hosted-zero-shot: 48 of 48 answers came without token usage from provider 'fake'; they are counted at $0, so its cost is understated", warnings);
        Assert.Contains(warnings, w => w.StartsWith("no price for mystery-model (provider 'fake')", StringComparison.Ordinal) && w.Contains("providers.fake.prices", StringComparison.Ordinal));
    }

    [Fact]
    public void The_provider_comes_from_lever_yaml_or_OPENAI_API_KEY_and_ambiguity_or_a_missing_one_is_a_user_error()
    {
        var root = SyntheticCorpus.CreateWorkspace(perGroup: 2);
        _roots.Add(root);
        var ws = Core.Workspace.Open(root);
        var options = LabConfiguration.Load(ws).Options;
        ProviderConnection Env(params (string, string)[] vars) => new() { GetEnvironment = n => vars.FirstOrDefault(v => v.Item1 == n).Item2 };

        // Nothing configured: no hosted rows, and the provider teacher is refused with the fix.
        Assert.Null(HostedModel.Resolve(ws, options, Env()));
        Assert.DoesNotContain(LabRunner.Recipes(options, hosted: null), r => r is HostedPromptRecipe);
        var noTeacher = Assert.Throws<LeverUserException>(() => LabRunner.Recipes(new LabOptions { Distill = new LabDistillOptions { Teacher = "provider" } }, hosted: null));
        Assert.Contains("OPENAI_API_KEY", noTeacher.Hint, StringComparison.Ordinal);

        // OPENAI_API_KEY alone: OpenAI (or OPENAI_BASE_URL) with the default model, priced from the price book.
        var openai = HostedModel.Resolve(ws, options, Env(("OPENAI_API_KEY", "sk-x"), ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")))!;
        Assert.Equal(("openai", HostedModel.DefaultModel, "http://127.0.0.1:9/v1"), (openai.Provider, openai.Model, openai.BaseUrl));
        Assert.Equal(new Lever.Core.Prices.TokenPrices(Input, CachedInput, Output), openai.Prices);
        Assert.True(openai.Implicit);
        var all = LabRunner.Recipes(options, openai);
        Assert.Equal(["hosted-zero-shot", "hosted-few-shot", "hosted-rag-few-shot"], all.OfType<HostedPromptRecipe>().Select(r => r.Name));
        Assert.IsType<ProviderTaughtStudentRecipe>(LabRunner.Recipes(new LabOptions { Distill = new LabDistillOptions { Teacher = "provider" } }, openai).Last());
        // The provider-taught student needs no local teacher in lab.recipes; the hosted rows come along unless lab.recipes names some.
        var studentOnly = LabRunner.Recipes(new LabOptions { Distill = new() { Teacher = "provider" }, Recipes = ["local-distilled"] }, openai);
        Assert.Equal(["hosted-zero-shot", "hosted-few-shot", "hosted-rag-few-shot", "local-distilled"], studentOnly.Select(r => r.Name));
        Assert.Equal("openai", Assert.IsType<ProviderTaughtStudentRecipe>(studentOnly[^1]).ProviderName);
        Assert.Equal(["hosted-few-shot", "local-distilled"],
            LabRunner.Recipes(new LabOptions { Distill = new() { Teacher = "provider" }, Recipes = ["local-distilled", "hosted-few-shot"] }, openai).Select(r => r.Name));

        // Two OpenAI-compatible providers with models: lab.provider.name must choose; disabled means none.
        File.AppendAllText(ws.ConfigPath, "\nproviders:\n  a:\n    base_url: http://127.0.0.1:9/v1\n    model: x\n  b:\n    base_url: http://127.0.0.1:9/v1\n    model: y\n");
        var ambiguous = Assert.Throws<LeverUserException>(() => HostedModel.Resolve(ws, options, Env()));
        Assert.Contains("2 OpenAI-compatible providers", ambiguous.Message, StringComparison.Ordinal);
        Assert.Contains("name: a", ambiguous.Hint, StringComparison.Ordinal);
        Assert.Equal("y", HostedModel.Resolve(ws, new LabOptions { Provider = new LabProviderOptions { Name = "b" } }, Env())!.Model);
        Assert.Null(HostedModel.Resolve(ws, new LabOptions { Provider = new LabProviderOptions { Enabled = false } }, Env()));
        var bad = Assert.Throws<LeverUserException>(() => HostedModel.Resolve(ws, new LabOptions { Provider = new LabProviderOptions { MaxTestItems = 0 } }, Env()));
        Assert.Contains("lab.provider.max_test_items", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_provider_as_teacher_the_student_trains_on_the_hosted_models_labels_not_the_human_ones()
    {
        var root = Workspace($"""
              recipes: [local-distilled, hosted-few-shot]
              distill:
                teacher: provider
              provider:
                few_shot: 2
            {SyntheticCorpus.TinyLlm()}
            """);
        var (report, observer) = await Run(root);
        Assert.Null(report.ProviderFailure);
        Assert.Equal(["hosted-few-shot", "local-distilled"], report.Results.Select(r => r.Name));
        var student = report.Results[1];
        Assert.Equal(LeverKind.Distill, student.Lever);
        Assert.Contains("teacher gpt-4o-mini (provider 'fake')", student.Description, StringComparison.Ordinal);
        Assert.Equal(48, student.Metrics.Count);

        var lab = Path.Combine(root, ".lever", "lab");
        var train = JsonLines.Read<LabExample>(Path.Combine(lab, "data", "train.jsonl"));
        var validation = JsonLines.Read<LabExample>(Path.Combine(lab, "data", "validation.jsonl"));
        var shots = HostedPromptRecipe.FixedExamples(train, ["ham", "spam"], 2);
        var labelled = train.Concat(validation).Where(e => shots.All(s => s.Id != e.Id)).ToList();
        var teacher = JsonLines.Read<JsonObject>(Path.Combine(lab, "recipes", "local-distilled", ProviderTaughtStudentRecipe.LabelsFile));
        // The teacher labelled every training and validation email but the two shown as examples, each as the rule says.
        Assert.Equal(labelled.Select(e => e.Id), teacher.Select(l => (string)l["id"]!));
        var expected = labelled.ToDictionary(e => e.Id, e => Expected(e) ?? "(unparsed)");
        Assert.All(teacher, l => Assert.Equal(expected[(string)l["id"]!], (string)l["label"]!));
        Assert.Contains(labelled, e => Expected(e) is { } x && x != e.Label); // the rule disagrees with the humans somewhere
        // The student's training data: only emails the teacher labelled, each with the teacher's label (balanced by its classes).
        var studentData = JsonLines.Read<JsonObject>(Path.Combine(lab, "recipes", "local-distilled", "data", "train.jsonl"));
        var trainById = train.ToDictionary(e => e.Id);
        var seen = 0;
        var disagreeing = 0;
        foreach (var line in studentData)
        {
            var prompt = (string)line["prompt"]!;
            var source = train.Where(e => prompt.StartsWith(e.Text[..40], StringComparison.Ordinal)).ToList();
            var e = Assert.Single(source);
            Assert.Equal($" {expected[e.Id]}\n", (string)line["completion"]!);
            seen++;
            if (expected[e.Id] != e.Label) disagreeing++;
        }
        Assert.True(seen > 0);
        Assert.True(disagreeing > 0, "some of the student's labels are the teacher's, not the human ones");
        Assert.Equal(studentData.Count(l => (string)l["completion"]! == " spam\n"), studentData.Count(l => (string)l["completion"]! == " ham\n"));
        Assert.Contains(observer.Messages, m => m.Contains("teacher gpt-4o-mini (provider 'fake') labelled", StringComparison.Ordinal));
        // The labelling calls are billed into the student's training cost, on top of its CPU time.
        var billed = teacher.Sum(l => (double)l["cost_usd"]!);
        Assert.True(billed > 0);
        Assert.Equal(student.TrainSeconds * Environment.ProcessorCount * 0.04 / 3600 + billed, student.Cost.TrainingUsd, 1e-12);

        // The advisor gets what was measured: the student's model and size, its training cost; the hosted row's model.
        var evidence = report.Recommendation.Advice!.Evidence.ToDictionary(e => e.Name);
        var size = Engine.Modules.ModelPresets.ParameterCount(Engine.Modules.LlamaConfig.Load(Path.Combine(lab, "recipes", "local-distilled", "model", "config.json")));
        Assert.Equal(size, student.ModelParameters);
        Assert.Equal(size, evidence["local-distilled"].ModelParams);
        Assert.Equal(student.Cost.TrainingUsd, evidence["local-distilled"].TrainingUsd!.Value, 1e-12);
        Assert.Contains("tiny Llama-family model", evidence["local-distilled"].Model, StringComparison.Ordinal);
        Assert.Equal("gpt-4o-mini (provider 'fake')", evidence["hosted-few-shot"].Model);
        // And what a paired comparison needs: which model answered, by which route, and each email's outcome.
        Assert.Equal(("fake/gpt-4o-mini", "api"), (evidence["hosted-few-shot"].ModelId, evidence["hosted-few-shot"].Route));
        Assert.Equal(("lab/tiny", "self-hosted"), (evidence["local-distilled"].ModelId, evidence["local-distilled"].Route));
        Assert.Equal(student.Metrics.Count, evidence["local-distilled"].Outcomes.Count);
    }

    [Fact]
    public void Replies_are_parsed_to_a_label_or_to_none()
    {
        string[] labels = ["ham", "spam"];
        Assert.Equal("spam", Recipes.Provider.Internal.LabelParser.Parse("Spam.", labels));
        Assert.Equal("ham", Recipes.Provider.Internal.LabelParser.Parse("**HAM**", labels));
        Assert.Equal("spam", Recipes.Provider.Internal.LabelParser.Parse("The answer: spam", labels));
        Assert.Null(Recipes.Provider.Internal.LabelParser.Parse("could be either", labels));
        Assert.Equal("ham", Recipes.Provider.Internal.LabelParser.Parse("ham or spam?", labels)); // the first word decides
        Assert.Null(Recipes.Provider.Internal.LabelParser.Parse("Is it ham or spam?", labels));
        Assert.Null(Recipes.Provider.Internal.LabelParser.Parse("  ", labels));
        // Negations are the other label of two, never the label they negate.
        Assert.Equal("ham", Recipes.Provider.Internal.LabelParser.Parse("Not spam.", labels));
        Assert.Equal("ham", Recipes.Provider.Internal.LabelParser.Parse("This email is not spam", labels));
        Assert.Equal("ham", Recipes.Provider.Internal.LabelParser.Parse("non-spam", labels));
        Assert.Equal("ham", Recipes.Provider.Internal.LabelParser.Parse("It isn't spam; it's ham.", labels));
        Assert.Equal("spam", Recipes.Provider.Internal.LabelParser.Parse("No ham here: spam", labels));
        Assert.Null(Recipes.Provider.Internal.LabelParser.Parse("not spam", ["ham", "spam", "phishing"]));
        Assert.Equal("easy-ham", Recipes.Provider.Internal.LabelParser.Parse("easy-ham", ["easy-ham", "spam"]));
    }

    private sealed class Tolerance : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= 1e-15 + 1e-9 * Math.Abs(x);

        public int GetHashCode(double obj) => 0;
    }
}
