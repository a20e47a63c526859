using System.Diagnostics;
using System.Text.Json;

namespace Lever.Cli.Tests;

/// <summary>
/// <c>lever serve --model BASE --adapter …</c> as a process, driven by the official OpenAI client (npm <c>openai</c>):
/// one tiny base and two LoRA adapters trained here by <c>lever train</c>, each adapter answering differently from the base.
/// </summary>
public sealed class ServeAdaptersTests : IDisposable
{
    private const string Key = "serve-adapters-token";
    private static readonly string[] Words = ["cat", "dog", "sun", "tree", "rain", "song", "blue", "hello"];
    private readonly TempWorkspace _tmp = new("lever-cli-adapters-");

    public void Dispose() => _tmp.Dispose();

    private void Run(params string[] args)
    {
        var r = LeverProcess.Run(_tmp.Root, args);
        Assert.True(r.ExitCode == 0, $"lever {string.Join(' ', args)}: {r.Stderr}");
    }

    private static string Chat(string user, string assistant) =>
        JsonSerializer.Serialize(new { messages = new[] { new { role = "user", content = user }, new { role = "assistant", content = assistant } } });

    /// <summary>An adapter that learns to answer every "say W" with <paramref name="answer"/>.</summary>
    private void TrainAdapter(string name, string answer)
    {
        File.WriteAllLines(_tmp.Combine(name + ".jsonl"), Enumerable.Range(0, 40).Select(i =>
            Chat($"say {Words[i % Words.Length]}", answer)));
        Run("train", "--method", "lora", "-m", "base", "--data", name + ".jsonl", "-o", name, "--steps", "30", "--batch", "8", "--seq-len", "48",
            "--lr", "2e-2", "--lora-r", "4", "--eval-every", "0", "--checkpoint-every", "30", "--threads", "2");
    }

    [Fact]
    public async Task The_openai_npm_client_lists_base_and_adapters_and_each_trained_adapter_answers_differently_from_the_base()
    {
        Run("model", "init", "--config", "tiny", "-o", "raw", "--seed", "5");
        // A base that has seen the three replies (says "zzzz" to "say W"), all in the chat shape the server renders.
        // On the random init a LoRA cannot learn them: its embeddings (tied, frozen) are too small for confident logits,
        // so its loss stalls near 5.9 and the greedy answer depends on the CPU's rounding ("        " on an AVX-512 EPYC).
        File.WriteAllLines(_tmp.Combine("mix.jsonl"), Words.SelectMany(w => new[] { ("say", "zzzz"), ("shout", "!!!!"), ("hum", "mmmm") }
            .Select(p => Chat($"{p.Item1} {w}", p.Item2))));
        Run("train", "--method", "full", "-m", "raw", "--data", "mix.jsonl", "-o", "base", "--steps", "40", "--batch", "8", "--seq-len", "48",
            "--lr", "3e-3", "--eval-every", "0", "--checkpoint-every", "40", "--threads", "2");
        TrainAdapter("shout", "!!!!");
        TrainAdapter("hum", "mmmm");

        var start = LeverProcess.StartInfo(_tmp.Root, "serve", "--model", "base", "--adapter", "shout=shout", "--adapter", "hum=hum", "--port", "0", "--workspace", _tmp.Root);
        start.Environment["LEVER_SERVER_KEY"] = Key;
        using var process = Process.Start(start)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(line?.StartsWith("lever serve: http://127.0.0.1:", StringComparison.Ordinal), line);
            Assert.Contains("2 LoRA adapters: shout, hum", line, StringComparison.Ordinal);
            var baseUrl = line!["lever serve: ".Length..].Split(' ')[0];

            var result = Client(baseUrl, new { prompt = "say cat", models = new[] { "base", "shout", "hum" }, load = new { lora_name = "shout2", lora_path = "shout" } });
            var models = result.GetProperty("models").EnumerateArray().ToDictionary(m => m.GetProperty("id").GetString()!, m => m);
            Assert.Equal(JsonValueKind.Null, models["base"].GetProperty("parent").ValueKind);
            Assert.Equal("base", models["shout"].GetProperty("parent").GetString());
            Assert.Equal("base", models["hum"].GetProperty("parent").GetString());
            Assert.Equal(_tmp.Combine("hum"), models["hum"].GetProperty("root").GetString());

            var answers = result.GetProperty("answers");
            string Text(string model) => answers.GetProperty(model).GetProperty("content").GetString()!;
            foreach (var model in new[] { "base", "shout", "hum", "shout2" }) Assert.Equal(model, answers.GetProperty(model).GetProperty("model").GetString());
            // Greedy answers: each trained adapter has learnt its reply; the base has not.
            Assert.Contains("!!", Text("shout"), StringComparison.Ordinal);
            Assert.Contains("mm", Text("hum"), StringComparison.Ordinal);
            Assert.NotEqual(Text("base"), Text("shout"));
            Assert.NotEqual(Text("base"), Text("hum"));
            Assert.DoesNotContain("!!", Text("base"), StringComparison.Ordinal);
            // Hot-loaded from the same folder, the adapter answers exactly as the one loaded at start.
            Assert.Equal(200, result.GetProperty("load").GetProperty("status").GetInt32());
            Assert.Equal(Text("shout"), Text("shout2"));
            Assert.Equal(200, result.GetProperty("unload").GetProperty("status").GetInt32());
            var errors = result.GetProperty("errors");
            Assert.Equal(404, errors.GetProperty("unknown").GetProperty("status").GetInt32());
            Assert.Equal("model_not_found", errors.GetProperty("unknown").GetProperty("code").GetString());
            Assert.Equal(404, errors.GetProperty("unloaded").GetProperty("status").GetInt32());

            // The loads are on the audit trail, with the identity that made them.
            var audit = File.ReadAllLines(Path.Combine(_tmp.Root, ".lever", "audit.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Contains(audit, e => e.GetProperty("event").GetString() == "adapter_load" && e.GetProperty("name").GetString() == "shout2" && e.GetProperty("identity").GetString() == "server-key");
            Assert.Contains(audit, e => e.GetProperty("event").GetString() == "adapter_unload" && e.GetProperty("name").GetString() == "shout2");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private JsonElement Client(string baseUrl, object request)
    {
        var requestPath = _tmp.Combine("client.request.json");
        File.WriteAllText(requestPath, JsonSerializer.Serialize(request));
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "clients", "openai_multilora.mjs"));
        start.ArgumentList.Add(baseUrl);
        start.ArgumentList.Add(requestPath);
        start.Environment["LEVER_NODE_MODULES"] = NodeModules();
        start.Environment["OPENAI_API_KEY"] = Key;
        start.Environment.Remove("OPENAI_BASE_URL");
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        Assert.True(node.WaitForExit(TimeSpan.FromMinutes(2)), "the openai client timed out");
        Assert.True(node.ExitCode == 0, $"the openai client failed ({node.ExitCode}): {stderr.Result}");
        return JsonDocument.Parse(stdout.Result).RootElement.Clone();
    }

    /// <summary>artifacts/node/node_modules (build/setup.sh --tests installs the openai client there), or $LEVER_NODE_MODULES.</summary>
    private static string NodeModules()
    {
        if (Environment.GetEnvironmentVariable("LEVER_NODE_MODULES") is { Length: > 0 } fromEnv) return fromEnv;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Lever.slnx"))) continue;
            var modules = Path.Combine(dir.FullName, "artifacts", "node", "node_modules");
            Assert.True(File.Exists(Path.Combine(modules, "openai", "package.json")), $"the openai npm client is not installed in {modules}: run build/setup.sh --tests");
            return modules;
        }
        throw new InvalidOperationException("repository root (Lever.slnx) not found above " + AppContext.BaseDirectory);
    }
}
