using System.Text.Json;

namespace Lever.Cli.Tests;

/// <summary>
/// Lineage recorded by <c>lever train</c> and <c>lever eval</c> on a tiny model, and a gate on real adapters: the eval set
/// through the engine, and the forgetting budget on the general-text meter the training measured.
/// </summary>
public sealed class RegistryLineageTests : IDisposable
{
    private readonly TempWorkspace _tmp = new("lever-cli-lineage-");

    public void Dispose() => _tmp.Dispose();

    private LeverProcess.Result Lever(params string[] args) => LeverProcess.Run(_tmp.Root, args);

    private static JsonElement Json(string stdout) => JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement.Clone();

    [Fact]
    [Trait("tier", "slow")] // ~35 s on a loaded 2-core machine: 17 lever processes, two of them training
    public void Train_registers_adapters_with_base_and_dataset_then_a_gate_promotes_or_refuses_on_the_forgetting_budget()
    {
        _tmp.Write("cfg.json", """{"vocab_size": 320, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 256, "rms_norm_eps": 1e-5, "tie_word_embeddings": true}""");
        Assert.Equal(0, Lever("model", "init", "--config", "cfg.json", "-o", "base").ExitCode);
        _tmp.Write("sums.jsonl", string.Join('\n', Enumerable.Range(0, 60).Select(i => JsonSerializer.Serialize(new { prompt = $"{i % 7} plus {i % 5} is", completion = $" {i % 7 + i % 5}" }))) + "\n");
        _tmp.Write("general.jsonl", string.Join('\n', Enumerable.Range(0, 60).Select(i => JsonSerializer.Serialize(new { text = $"the number {i} comes before {i + 1}." }))) + "\n");
        _tmp.Write("gate.jsonl", string.Join('\n', Enumerable.Range(0, 3).Select(i => JsonSerializer.Serialize(new { input = $"{i} plus {i} is", expected = $"{2 * i}" }))) + "\n");
        foreach (var (output, seed) in new[] { ("out1", "1"), ("out2", "2") })
        {
            var train = Lever("train", "--method", "lora", "-m", "base", "--data", "sums.jsonl", "--general", "general.jsonl", "--steps", "2", "--batch", "4",
                "--seq-len", "24", "--eval-every", "2", "--threads", "1", "--seed", seed, "-o", output, "--register", "bot", "--json");
            Assert.True(train.ExitCode == 0, train.Stderr);
        }

        var bot = Json(Lever("registry", "list", "bot", "--json").Stdout).GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal([1, 2], bot.Select(v => v.GetProperty("version").GetInt32()));
        var lineage = bot[1].GetProperty("lineage");
        Assert.Equal("lever train", lineage.GetProperty("source").GetString());
        Assert.Equal("base@v1", lineage.GetProperty("base_model").GetProperty("reference").GetString());
        Assert.Equal("sums@v1", lineage.GetProperty("dataset").GetProperty("reference").GetString());
        Assert.Equal(2, lineage.GetProperty("seed").GetInt32());
        Assert.Equal(2, lineage.GetProperty("hyperparameters").GetProperty("trainer").GetProperty("Steps").GetInt32());
        var training = lineage.GetProperty("training");
        Assert.True(training.GetProperty("general_loss_after").GetDouble() > 0);
        // Registering the same output by hand finds the version `lever train` made: content addressed.
        Assert.Contains("bot@v1 already has this content", Lever("registry", "register", "bot", "out1").Stdout);

        Assert.Equal(0, Lever("registry", "promote", "bot@v1").ExitCode);
        var gated = Lever("registry", "promote", "bot@v2", "--gate", "gate.jsonl");
        Assert.True(gated.ExitCode == 0, gated.Stdout + gated.Stderr);
        Assert.Contains("forgetting: general-text loss", gated.Stdout);
        Assert.Contains("within 0.05", gated.Stdout);
        Assert.Equal(0, Lever("registry", "rollback", "bot").ExitCode);

        // A budget no training can meet: refused with the meter's numbers, the alias stays on v1.
        _tmp.Write("lever.yaml", "gate:\n  max_general_loss_increase: -1\n");
        var refused = Lever("registry", "promote", "bot@v2", "--gate", "gate.jsonl");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("over the budget of -1", refused.Stderr);
        Assert.Equal(1, Json(Lever("registry", "show", "bot@champion", "--json").Stdout).GetProperty("version").GetInt32());

        // lever eval takes the alias (the adapter on its recorded base) and attaches its run to both versions it measured.
        var eval = Lever("eval", "--model", "bot@champion", "--set", "gate.jsonl", "--json", "--no-diagnose");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        Assert.Contains("registry: attached run", eval.Stderr);
        var baseEvals = Json(Lever("registry", "show", "base@v1", "--json").Stdout).GetProperty("evals");
        Assert.Equal("eval", baseEvals[0].GetProperty("source").GetString());
        Assert.Equal(3, baseEvals[0].GetProperty("items").GetInt32());
        var botEvals = Json(Lever("registry", "show", "bot@v1", "--json").Stdout).GetProperty("evals").EnumerateArray().ToList();
        Assert.Equal("eval", botEvals[^1].GetProperty("source").GetString());
        Assert.Equal(0, Lever("audit", "verify").ExitCode);
    }
}
