using System.Diagnostics;
using System.Text.Json;
using Lever.Engine.Checkpoints;
using Lever.Training.Lora;
using static TorchSharp.torch;

namespace Lever.Cli.Tests;

/// <summary>A base model made once through `lever model init` for the training command tests.</summary>
public sealed class TrainingBaseFixture : IDisposable
{
    public TrainingBaseFixture()
    {
        Dir = Directory.CreateTempSubdirectory("lever-cli-train").FullName;
        File.WriteAllText(Path.Combine(Dir, "cfg.json"), """{"vocab_size": 320, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 256, "rms_norm_eps": 1e-5, "tie_word_embeddings": true}""");
        var r = LeverProcess.Run(Dir, "model", "init", "--config", "cfg.json", "-o", "base");
        if (r.ExitCode != 0) throw new InvalidOperationException(r.Stdout + r.Stderr);
        var rng = new Random(2);
        File.WriteAllLines(Path.Combine(Dir, "sums.jsonl"), Enumerable.Range(0, 200).Select(_ =>
        {
            int a = rng.Next(50), b = rng.Next(50);
            return JsonSerializer.Serialize(new { prompt = $"{a} plus {b} is", completion = $" {a + b}" });
        }));
    }

    public string Dir { get; }

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}

public sealed class TrainingCommandTests(TrainingBaseFixture fixture) : IClassFixture<TrainingBaseFixture>
{
    private static readonly string[] LoraRun =
    [
        "train", "--method", "lora", "-m", "base", "--data", "sums.jsonl", "--steps", "40", "--batch", "8", "--seq-len", "32",
        "--lr", "1e-2", "--lora-r", "4", "--lora-dropout", "0.1", "--eval-every", "20", "--checkpoint-every", "5", "--threads", "1", "--json",
    ];

    [Fact]
    public void Data_validate_names_a_broken_line_17_and_exits_2()
    {
        var file = Path.Combine(fixture.Dir, "broken.jsonl");
        var lines = Enumerable.Range(1, 25).Select(i => $"{{\"prompt\":\"q{i}\",\"completion\":\"a{i}\"}}").ToArray();
        lines[16] = "{\"prompt\": \"q17\", \"completion\": ";
        File.WriteAllLines(file, lines);
        var r = LeverProcess.Run(fixture.Dir, "data", "validate", "broken.jsonl", "--task", "style");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("line 17: invalid JSON", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("1 invalid line", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("too few", r.Stdout, StringComparison.Ordinal); // 24 examples < 50 for style

        var ok = LeverProcess.Run(fixture.Dir, "data", "validate", "sums.jsonl", "-m", "base", "--seq-len", "8", "--json");
        Assert.Equal(0, ok.ExitCode);
        using var report = JsonDocument.Parse(ok.Stdout.Trim().Split('\n')[^1]);
        Assert.Equal(200, report.RootElement.GetProperty("valid").GetInt32());
        Assert.False(report.RootElement.GetProperty("tokens_estimated").GetBoolean());
        Assert.True(report.RootElement.GetProperty("truncated").GetInt32() > 0); // "a plus b is c" is over 8 byte tokens
    }

    [Trait("tier", "slow")]
    [Fact]
    public void Kill_9_mid_run_then_resume_matches_the_uninterrupted_loss_curve_and_the_adapter_merges()
    {
        // 1) uninterrupted reference run, whose last stdout line is the JSON summary
        var straight = LeverProcess.Run(fixture.Dir, [.. LoraRun, "-o", "straight"]);
        Assert.True(straight.ExitCode == 0, straight.Stderr);
        using var summary = JsonDocument.Parse(straight.Stdout.Trim().Split('\n')[^1]);
        var s = summary.RootElement;
        foreach (var field in new[] { "method", "steps", "train_loss", "val_loss", "base_val_loss", "trainable_params", "total_params", "tokens_per_second", "peak_memory_mb", "output" })
            Assert.True(s.TryGetProperty(field, out _), field);
        Assert.Equal("lora", s.GetProperty("method").GetString());
        Assert.Equal(40, s.GetProperty("steps").GetInt32());
        Assert.True(s.GetProperty("val_loss").GetDouble() < s.GetProperty("base_val_loss").GetDouble());
        Assert.True(s.GetProperty("trainable_params").GetInt64() < s.GetProperty("total_params").GetInt64() / 5);

        // 2) the same run, killed with SIGKILL as soon as its first checkpoint is on disk
        var killedDir = Path.Combine(fixture.Dir, "killed");
        using (var p = Start(fixture.Dir, [.. LoraRun, "-o", "killed"]))
        {
            var latest = Path.Combine(killedDir, "checkpoints", "latest");
            var watch = Stopwatch.StartNew();
            while (!File.Exists(latest) && !p.HasExited && watch.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(5);
            Assert.False(p.HasExited, "the run finished before it could be killed");
            p.Kill(); // SIGKILL: no handler runs, nothing is flushed
            p.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(killedDir, "adapter_model.safetensors")));
        int killedAt = File.ReadAllLines(Path.Combine(killedDir, "metrics.jsonl")).Length;
        Assert.InRange(killedAt, 5, 39);

        // 3) resume: it continues from the checkpoint with the same data order, optimizer state, schedule and dropout
        var resumed = LeverProcess.Run(fixture.Dir, "train", "--resume", "killed", "--json", "--threads", "1");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        var a = Curve(Path.Combine(fixture.Dir, "straight", "metrics.jsonl"));
        var b = Curve(killedDir + "/metrics.jsonl");
        Assert.Equal(a.Select(x => x.Step), b.Select(x => x.Step));
        for (int i = 0; i < a.Count; i++)
        {
            Assert.True(Math.Abs(a[i].Loss - b[i].Loss) < 1e-3, $"step {a[i].Step}: {a[i].Loss} vs {b[i].Loss}");
            Assert.Equal(a[i].Lr, b[i].Lr, 10);
        }

        // 4) `lever adapter merge`: the merged checkpoint's logits equal base + adapter within 1e-4
        var merge = LeverProcess.Run(fixture.Dir, "adapter", "merge", "-m", "base", "--adapter", "killed", "-o", "merged");
        Assert.True(merge.ExitCode == 0, merge.Stderr);
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 40, 41, 42, 43, 44, 45, 46, 47 }, [1, 8]);
        using var adapted = HfCheckpoint.Load(Path.Combine(fixture.Dir, "base"));
        PeftAdapter.Load(adapted, killedDir);
        adapted.eval();
        using var merged = HfCheckpoint.Load(Path.Combine(fixture.Dir, "merged"));
        var diff = (adapted.call(ids) - merged.call(ids)).abs().max().item<float>();
        Assert.True(diff < 1e-4, $"max logit difference {diff}");
        Assert.True(File.Exists(Path.Combine(fixture.Dir, "merged", "tokenizer.json")));
    }

    [Fact]
    public async Task Ctrl_c_writes_a_checkpoint_and_stops_cleanly()
    {
        var dir = Path.Combine(fixture.Dir, "interrupted");
        // A shell that starts this suite in the background (`./test.sh &` without job control) makes SIGINT ignored, and
        // children inherit that: the run then ignores the signal and ends at its last step. Run the suite in the foreground.
        string[] args = ["train", "--method", "full", "-m", "base", "--data", "sums.jsonl", "--steps", "500", "--batch", "4", "--seq-len", "32",
            "--lr", "1e-3", "--checkpoint-every", "1000", "--eval-every", "0", "--threads", "1", "--json", "-o", "interrupted"];
        using var p = Start(fixture.Dir, args);
        var stderr = p.StandardError.ReadToEndAsync();
        var metrics = Path.Combine(dir, "metrics.jsonl");
        var watch = Stopwatch.StartNew();
        while (!p.HasExited && watch.Elapsed < TimeSpan.FromMinutes(2) && (!File.Exists(metrics) || File.ReadAllLines(metrics).Length < 3)) Thread.Sleep(10);
        Assert.False(p.HasExited, "the run ended before it could be interrupted");
        using (var kill = Process.Start("kill", ["-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        var err = await stderr;
        await p.WaitForExitAsync();
        Assert.Equal(130, p.ExitCode);
        var match = System.Text.RegularExpressions.Regex.Match(err, @"stopped at step (\d+); the checkpoint is written");
        Assert.True(match.Success, err);
        int step = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(step, 3, 499);
        Assert.Equal($"step-{step:D6}", File.ReadAllText(Path.Combine(dir, "checkpoints", "latest")).Trim());
        Assert.Equal(step, File.ReadAllLines(metrics).Length);
        Assert.Contains("lever train --resume interrupted", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_training_input_is_a_one_line_user_error()
    {
        var r = LeverProcess.Run(fixture.Dir, "train", "--method", "sideways", "-m", "base", "--data", "sums.jsonl", "-o", "x");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--method sideways: unknown method", r.Stderr, StringComparison.Ordinal);
        var cpt = LeverProcess.Run(fixture.Dir, "train", "--method", "cpt", "-m", "base", "--data", "sums.jsonl", "-o", "y", "--steps", "1");
        Assert.Equal(2, cpt.ExitCode);
        Assert.Contains("line 1: this line is {\"prompt\",\"completion\"} but the file is {\"text\"}", cpt.Stderr, StringComparison.Ordinal);
        var resume = LeverProcess.Run(fixture.Dir, "train", "--resume", "nowhere");
        Assert.Equal(2, resume.ExitCode);
        Assert.Contains("no run to resume", resume.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Precision_bf16_trains_with_checkpointing_or_is_refused_with_exit_2()
    {
        var bad = LeverProcess.Run(fixture.Dir, "train", "--method", "lora", "-m", "base", "--data", "sums.jsonl", "-o", "p0", "--precision", "fp8");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--precision fp8: unknown precision", bad.Stderr, StringComparison.Ordinal);

        var r = LeverProcess.Run(fixture.Dir, "train", "--method", "lora", "-m", "base", "--data", "sums.jsonl", "-o", "p1", "--steps", "3", "--batch", "4",
            "--seq-len", "24", "--eval-every", "3", "--threads", "1", "--precision", "bf16", "--gradient-checkpointing", "--json");
        if (Lever.Training.Precision.Bf16Support.WhyUnsupported() is not null)
        {
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("--precision bf16: ", r.Stderr, StringComparison.Ordinal);
            return;
        }
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var summary = JsonDocument.Parse(r.Stdout.TrimEnd().Split('\n')[^1]);
        Assert.Equal("bf16", summary.RootElement.GetProperty("precision").GetString());
        Assert.True(summary.RootElement.GetProperty("gradient_checkpointing").GetBoolean());
        Assert.Equal(3, summary.RootElement.GetProperty("steps").GetInt32());
        Assert.True(double.IsFinite(summary.RootElement.GetProperty("val_loss").GetDouble()));
    }

    private static List<(int Step, double Loss, double Lr)> Curve(string path) =>
        File.ReadAllLines(path).Select(l =>
        {
            using var d = JsonDocument.Parse(l);
            return (d.RootElement.GetProperty("Step").GetInt32(), d.RootElement.GetProperty("Loss").GetDouble(), d.RootElement.GetProperty("LearningRate").GetDouble());
        }).ToList();

    private static Process Start(string dir, string[] args) => Process.Start(LeverProcess.StartInfo(dir, args))!;
}
