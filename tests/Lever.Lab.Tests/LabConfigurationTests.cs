using Lever.Core;

namespace Lever.Lab.Tests;

public sealed class LabConfigurationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lever-lab-config").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private LabConfiguration Load(string yaml)
    {
        File.WriteAllText(Path.Combine(_root, "lever.yaml"), yaml);
        return LabConfiguration.Load(Workspace.Open(_root));
    }

    [Fact]
    public void Volume_comes_from_the_advisor_workload_section_with_its_line()
    {
        var c = Load("lab:\n  compute:\n    cpu_hour_usd: 0.05\nworkload:\n  task:\n    kind: classification\n  workload:\n    requests_per_month: 250000\n");
        Assert.Equal(250000, c.RequestsPerMonth);
        Assert.EndsWith(":8: workload.workload.requests_per_month", c.VolumeSource);
        Assert.Equal(0.05, c.Options.Compute.CpuHourUsd);
        Assert.Equal(["easy-ham-1", "hard-ham-1", "spam-1"], c.Options.Dataset.TrainGroups);
    }

    [Fact]
    public void The_lab_section_can_declare_its_own_volume()
    {
        var c = Load("lab:\n  compute:\n    requests_per_month: 1234\n");
        Assert.Equal(1234, c.RequestsPerMonth);
    }

    [Theory]
    [InlineData("workload:\n  workload:\n    requests_per_month: 10\n", "no lab: section")]
    [InlineData("lab:\n  dataset:\n    source: spamassassin\n", "no monthly volume")]
    [InlineData("lab:\n  datset: {}\n", "unknown field 'datset'")]
    [InlineData("lab:\n  compute:\n    requests_per_month: 5\n  dataset:\n    validation_fraction: 1.5\n", "lab.dataset.validation_fraction")]
    [InlineData("lab:\n  compute:\n    requests_per_month: 5\n  dataset:\n    test_groups: [spam-1]\n", "also in train_groups")]
    [InlineData("lab:\n  compute:\n    requests_per_month: 5\n  dataset:\n    source: maildir\n", "unknown source 'maildir'")]
    [InlineData("lab: {}\nworkload:\n  workload:\n    requests_per_month: lots\n", ":4:25: workload.workload.requests_per_month: 'lots'")]
    [InlineData("lab:\n  compute:\n    requests_per_month: 5\n  llm:\n    pretrain_steps: 0\n", "lab.llm.pretrain_steps: 0 is below 1")]
    [InlineData("lab:\n  compute:\n    requests_per_month: 5\n  llm:\n    lora_steps: -3\n", "lab.llm.lora_steps: -3 is below 1")]
    [InlineData("lab:\n  compute:\n    requests_per_month: 5\n  llm:\n    vocab: 100\n", "lab.llm.vocab: 100 is below 259")]
    [InlineData("lab:\n  compute:\n    requests_per_month: 5\n  llm:\n    seq_len: 8\n", "lab.llm.seq_len: 8 is below 32")]
    [InlineData("lab:\n  compute:\n    requests_per_month: 5\n  inference:\n    backend: onnx\n", "lever.yaml:5:14: lab.inference.backend: unknown backend 'onnx'")]
    [InlineData("lab:\n  compute:\n    requests_per_month: 5\n  inference:\n    backend: llamacpp\n    quantization: q5_1\n", "lever.yaml:6:19: lab.inference.quantization: unknown type 'q5_1'")]
    [InlineData("lab:\n  compute:\n    requests_per_month: 5\n  inference:\n    quantization: q8_0\n", "lab.inference.quantization: the engine runs f32 weights, not q8_0")]
    [InlineData("lab:\n  compute:\n    requests_per_month: 5\n  inference:\n    backnd: llamacpp\n", "unknown field 'backnd'")]
    [InlineData("lab:\n  compute:\n    requests_per_month: 5\n  inference:\n    max_test_items: 0\n", "lab.inference.max_test_items: 0 is not a positive count")]
    [InlineData("lab:\n  compute:\n    requests_per_month: 5\n  budget_minutes: 0\n", "lab.budget_minutes: 0 is not a positive number of minutes")]
    [InlineData("lab:\n  compute:\n    requests_per_month: 5\n  llm:\n    lora_learning_rate: 2\n", "lab.llm.lora_learning_rate: 2 is outside (0, 1)")]
    [InlineData("lab:\n  compute:\n    requests_per_month: 5\n  llm:\n    preset: huge\n", "lab.llm.preset: unknown preset 'huge'")]
    public void Bad_configuration_is_a_user_error_naming_the_field(string yaml, string expected)
    {
        var ex = Assert.Throws<LeverUserException>(() => Load(yaml));
        Assert.Contains(expected, ex.Message);
        Assert.False(string.IsNullOrEmpty(ex.Hint));
    }

    [Fact]
    public void A_nested_lab_error_names_line_column_and_the_whole_path()
    {
        var unknown = Assert.Throws<LeverUserException>(() => Load("lab:\n  compute:\n    requests_per_month: 5\n  llm:\n    lora_stesp: 3\n"));
        Assert.EndsWith("lever.yaml:5:5: lab.llm.lora_stesp: unknown field 'lora_stesp' — did you mean lora_steps?", unknown.Message);
        var range = Assert.Throws<LeverUserException>(() => Load("lab:\n  compute:\n    requests_per_month: 5\n  llm:\n    seq_len: 8\n"));
        Assert.EndsWith("lever.yaml:5:14: lab.llm.seq_len: 8 is below 32", range.Message);
        var type = Assert.Throws<LeverUserException>(() => Load("lab:\n  compute:\n    requests_per_month: many\n"));
        Assert.EndsWith("lever.yaml:3:25: lab.compute.requests_per_month: expected a number, got 'many'", type.Message);
    }

    [Fact]
    public void Hosted_model_settings_cite_their_line()
    {
        var c = Load("lab:\n  compute:\n    requests_per_month: 5\n  provider:\n    max_test_items: 0\n");
        var ex = Assert.Throws<LeverUserException>(() => Recipes.Provider.HostedModel.Resolve(Workspace.Open(_root), c.Options));
        Assert.EndsWith("lever.yaml:5:21: lab.provider.max_test_items: 0 is not a positive count", ex.Message);
    }

    [Theory]
    [InlineData("spam")]
    [InlineData("pgdocs")]
    [InlineData("unicode")]
    public void The_shipped_samples_bind_strictly(string sample)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Lever.slnx"))) dir = dir.Parent;
        var ws = Workspace.Open(Path.Combine(dir!.FullName, "samples", sample));
        var c = LabConfiguration.Load(ws);
        Assert.True(c.RequestsPerMonth > 0);
        var config = Core.Config.LeverConfig.Load(ws.ConfigPath);
        Assert.NotNull(Advisor.WorkloadReader.Read(ws.ConfigPath));
        _ = config.Section<Dictionary<string, Core.Config.ProviderOptions>>("providers");
        _ = config.Section<Dictionary<string, Retrieval.IndexOptions>>("indexes");
    }

    [Fact]
    public void An_extraction_lab_reads_a_file_and_says_so_at_the_source_line()
    {
        var ex = Assert.Throws<LeverUserException>(() => Load("lab:\n  task: extraction\n  dataset:\n    source: spamassassin\n  compute:\n    requests_per_month: 5\n"));
        Assert.EndsWith("lever.yaml:4:13: lab.dataset.source: an extraction lab reads a file of input → output pairs, not 'spamassassin'", ex.Message);
    }

    [Fact]
    public async Task A_missing_corpus_path_is_a_user_error()
    {
        File.WriteAllText(Path.Combine(_root, "lever.yaml"), "lab:\n  dataset:\n    path: nowhere\n  compute:\n    requests_per_month: 5\n");
        var ws = Workspace.Open(_root);
        var runner = new LabRunner(ws, LabConfiguration.Load(ws), [new Recipes.ClassicalBaselineRecipe()], new RecordingObserver(), Lever.Reports.LabPages.Instance);
        var ex = await Assert.ThrowsAsync<LeverUserException>(() => runner.RunAsync(CancellationToken.None));
        Assert.Contains("lab.dataset.path", ex.Message);
    }

    [Fact]
    public void Lora_takes_its_own_step_count_and_the_full_fine_tune_keeps_its_own()
    {
        var c = Load("lab:\n  compute:\n    requests_per_month: 5\n  llm:\n    fine_tune_steps: 150\n    lora_steps: 300\n");
        Assert.Equal(300, Recipes.Local.FineTuneRecipe.Steps(c.Options.Llm, lora: true));
        Assert.Equal(150, Recipes.Local.FineTuneRecipe.Steps(c.Options.Llm, lora: false));
        var lora = new Recipes.Local.FineTuneRecipe(c.Options.Llm, lora: true);
        var full = new Recipes.Local.FineTuneRecipe(c.Options.Llm, lora: false);
        Assert.Contains("steps=300;", lora.Fingerprint, StringComparison.Ordinal);
        Assert.Contains("steps=150;", full.Fingerprint, StringComparison.Ordinal);

        var unset = Load("lab:\n  compute:\n    requests_per_month: 5\n  llm:\n    fine_tune_steps: 150\n");
        Assert.Equal(150, Recipes.Local.FineTuneRecipe.Steps(unset.Options.Llm, lora: true));
    }

    [Fact]
    public void Sizing_fills_only_what_lever_yaml_leaves_unset_and_says_where_each_value_came_from()
    {
        var size = Recipes.Local.LocalModelSizing.Size(2000, 30, 600);
        var c = Load("lab:\n  compute:\n    requests_per_month: 5\n  llm:\n    fine_tune_steps: 150\n    seq_len: 128\n");
        c.Options.Llm.Resolve(size);
        var llm = c.Options.Llm;
        Assert.Equal((size.Preset, size.PretrainSteps, 150, 128, size.BatchSize), (llm.Preset, llm.PretrainSteps, llm.FineTuneSteps, llm.SeqLen, llm.BatchSize));
        Assert.Equal(150, Recipes.Local.FineTuneRecipe.Steps(llm, lora: true));   // LoRA follows the set fine_tune_steps
        Assert.Equal(["sized", "sized", "set in lever.yaml", "set in lever.yaml", "sized", "set in lever.yaml"], LabLanguageModelOptions.SizedFields.Select(llm.SourceOf));
        Assert.Same(size, llm.Sizing);

        // Everything set (samples/spam): nothing is sized.
        var all = Load("lab:\n  compute:\n    requests_per_month: 5\n  llm:\n    preset: tiny\n    pretrain_steps: 500\n    fine_tune_steps: 150\n    lora_steps: 300\n    batch_size: 8\n    seq_len: 192\n");
        all.Options.Llm.Resolve(size);
        Assert.Null(all.Options.Llm.Sizing);
        Assert.Equal((500, 300), (all.Options.Llm.PretrainSteps, Recipes.Local.FineTuneRecipe.Steps(all.Options.Llm, lora: true)));
    }
}
