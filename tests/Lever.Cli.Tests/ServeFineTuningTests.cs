using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Lever.Cli.Tests;

/// <summary>
/// <c>lever serve --fine-tuning</c> as a process with the real trainer on the tiny preset: the official OpenAI npm client
/// drives the whole flow, and a job survives kill -9 of the server, resuming with the step losses of an uninterrupted run.
/// </summary>
public sealed class ServeFineTuningTests(ServeFineTuningFixture fixture, ITestOutputHelper output) : IClassFixture<ServeFineTuningFixture>
{
    private const string Key = ServeFineTuningFixture.Key;

    [Fact]
    public async Task The_official_openai_npm_client_uploads_trains_polls_chats_lists_events_and_checkpoints_and_cancels()
    {
        var modules = NodeModules();
        var dir = fixture.Dir;
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "node", "fine-tuning-client.cjs"));
        start.ArgumentList.Add(fixture.BaseUrl);
        start.ArgumentList.Add(dir);
        start.Environment["NODE_PATH"] = modules;
        start.Environment["LEVER_TEST_KEY"] = Key;
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        Assert.True(node.WaitForExit(TimeSpan.FromMinutes(3)), "the npm client timed out");
        Assert.True(node.ExitCode == 0, $"the npm client failed: {await stderr}");
        using var doc = JsonDocument.Parse((await stdout).Trim().Split('\n')[^1]);
        var r = doc.RootElement;

        var before = r.GetProperty("models_before").EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.Equal(("tiny", "all-MiniLM-L6-v2"), (before[0], before[^1]));
        Assert.Equal(400, r.GetProperty("malformed").GetProperty("status").GetInt32());
        Assert.Contains("broken.jsonl: line 3: invalid JSON", r.GetProperty("malformed").GetProperty("message").GetString(), StringComparison.Ordinal);
        var file = r.GetProperty("file");
        Assert.Matches("^file-[0-9a-f]{24}$", file.GetProperty("id").GetString()!);
        Assert.Equal(new FileInfo(Path.Combine(dir, "train.jsonl")).Length, file.GetProperty("bytes").GetInt64());
        Assert.Contains(file.GetProperty("id").GetString(), r.GetProperty("files_listed").EnumerateArray().Select(f => f.GetString()));

        Assert.Equal("validating_files", r.GetProperty("created_status").GetString());
        var job = r.GetProperty("job");
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        var id = job.GetProperty("id").GetString()!;
        var model = $"ft:tiny:npm:{id["ftjob-".Length..]}";
        Assert.Equal(model, job.GetProperty("fine_tuned_model").GetString());
        Assert.Equal(11, job.GetProperty("seed").GetInt32());
        var hyper = job.GetProperty("hyperparameters");
        Assert.Equal((1, 2, 1.0), (hyper.GetProperty("n_epochs").GetInt32(), hyper.GetProperty("batch_size").GetInt32(), hyper.GetProperty("learning_rate_multiplier").GetDouble()));
        Assert.True(job.GetProperty("trained_tokens").GetInt64() > 0);
        Assert.True(r.GetProperty("job_seconds").GetDouble() <= 60, $"the job took {r.GetProperty("job_seconds")} s");
        output.WriteLine($"create → succeeded as the npm client polled it: {r.GetProperty("job_seconds").GetDouble():0.0} s");

        Assert.Equal(model, r.GetProperty("chat").GetProperty("model").GetString());
        // The fine-tuned model's answers are in the usage ledger like the base's (they join the server while it runs).
        var ledger = File.ReadAllLines(Path.Combine(dir, ".lever", "server", "usage.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(ledger, e => e.GetProperty("model").GetString() == model && e.GetProperty("completion_tokens").GetInt32() > 0);
        Assert.Equal("length", r.GetProperty("chat").GetProperty("finish_reason").GetString());
        // response_format through the official client: the base model's answer is a document of the schema.
        using var extracted = JsonDocument.Parse(r.GetProperty("json_chat").GetProperty("content").GetString()!);
        Assert.Equal(JsonValueKind.Number, extracted.RootElement.GetProperty("answer").ValueKind);
        Assert.True(extracted.RootElement.GetProperty("sure").ValueKind is JsonValueKind.True or JsonValueKind.False);
        Assert.Equal("stop", r.GetProperty("json_chat").GetProperty("finish_reason").GetString());

        var events = r.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal("The job has successfully completed", events[0].GetProperty("message").GetString());
        Assert.Equal(Enumerable.Range(1, 10).Reverse(), events.Where(e => e.GetProperty("type").GetString() == "metrics").Select(e => e.GetProperty("step").GetInt32()));
        Assert.Equal("Created fine-tuning job: " + id, events[^1].GetProperty("message").GetString());
        var checkpoints = r.GetProperty("checkpoints").EnumerateArray().ToList();
        Assert.Equal(10, checkpoints[0].GetProperty("step").GetInt32());
        Assert.All(checkpoints, c => Assert.Equal(id, c.GetProperty("job").GetString()));
        Assert.True(checkpoints[0].GetProperty("train_loss").GetDouble() > 0);
        Assert.Contains(id, r.GetProperty("jobs_listed").EnumerateArray().Select(j => j.GetString()));

        Assert.Equal("cancelled", r.GetProperty("cancelled").GetProperty("status").GetString());
        Assert.Equal("cancelled", r.GetProperty("cancelled_later").GetString());
        var after = r.GetProperty("models_after").EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.Equal(("tiny", "all-MiniLM-L6-v2"), (after[0], after[^1]));
        Assert.Contains(model, after);

        // Recorded: the adapter in the registry under its ft: id, and the job's life in the audit trail.
        var list = LeverProcess.Run(dir, "registry", "list", model, "--json", "--workspace", dir);
        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Contains("\"kind\":\"adapter\"", list.Stdout.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var second = r.GetProperty("cancelled").GetProperty("id").GetString();
        var audit = File.ReadAllLines(Path.Combine(dir, ".lever", "audit.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("event").GetString() == "fine_tuning_job" && e.GetProperty("job").GetString() is { } j && (j == id || j == second)).ToList();
        Assert.Equal(["created", "succeeded", "created", "cancelled"], audit.Select(a => a.GetProperty("action").GetString()));
        Assert.All(audit, a => Assert.Equal("server-key", a.GetProperty("identity").GetString()));
        var verify = LeverProcess.Run(dir, "audit", "verify", "--workspace", dir);
        Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);
    }

    [Trait("tier", "slow")]
    [Fact]
    public async Task A_job_survives_kill_9_of_the_server_and_resumes_with_the_losses_of_an_uninterrupted_run()
    {
        using var tmp = new TempWorkspace("lever-cli-ft-kill-");
        var dir = tmp.Root;
        ServeFineTuningFixture.MakeWorkspace(dir, checkpointEvery: 5);
        string fileId, killedJob;
        int killedAtStep;
        var create = (string file) => """{"model":"tiny","training_file":"FILE","seed":5,"hyperparameters":{"n_epochs":2,"batch_size":2}}""".Replace("FILE", file, StringComparison.Ordinal);
        using (var served = await ServeFineTuningFixture.Serve(dir))
        {
            using var http = Http();
            fileId = (await Upload(http, served.BaseUrl, Path.Combine(dir, "train.jsonl"))).GetProperty("id").GetString()!;
            killedJob = (await Post(http, served.BaseUrl + "/fine_tuning/jobs", create(fileId))).GetProperty("id").GetString()!;
            var run = Path.Combine(dir, ".lever", "server", "jobs", killedJob, "run");
            var watch = Stopwatch.StartNew();
            // Killed between checkpoints: after step 5's checkpoint and at least one step more, which the resumed run redoes.
            int Steps() => File.Exists(Path.Combine(run, "metrics.jsonl")) ? File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length : 0;
            while (!(File.Exists(Path.Combine(run, "checkpoints", "latest")) && Steps() >= 6) && watch.Elapsed < TimeSpan.FromMinutes(2)) await Task.Delay(2);
            Assert.True(File.Exists(Path.Combine(run, "checkpoints", "latest")), "no checkpoint within 2 minutes");
            served.Process.Kill(); // SIGKILL: nothing is flushed, no handler runs
            served.Process.WaitForExit();
            Assert.False(File.Exists(Path.Combine(run, "adapter_model.safetensors")));
            killedAtStep = Steps();
            Assert.InRange(killedAtStep, 6, 19);
        }
        var job = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, ".lever", "server", "jobs", killedJob, "job.json"))).RootElement;
        Assert.Equal("running", job.GetProperty("status").GetString());

        string straightJob;
        using (var served = await ServeFineTuningFixture.Serve(dir))
        {
            using var http = Http();
            var resumed = await WaitFor(http, served.BaseUrl, killedJob);
            Assert.Equal("succeeded", resumed.GetProperty("status").GetString());
            straightJob = (await Post(http, served.BaseUrl + "/fine_tuning/jobs", create(fileId))).GetProperty("id").GetString()!;
            Assert.Equal("succeeded", (await WaitFor(http, served.BaseUrl, straightJob)).GetProperty("status").GetString());
            using var events = await http.GetAsync($"{served.BaseUrl}/fine_tuning/jobs/{killedJob}/events?limit=100");
            var messages = JsonDocument.Parse(await events.Content.ReadAsStringAsync()).RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("message").GetString()).ToList();
            Assert.Contains("Server restarted: resuming the job from its last checkpoint", messages);
            Assert.Equal(20, messages.Count(m => m!.StartsWith("Step ", StringComparison.Ordinal)));
        }
        var a = Curve(dir, straightJob);
        var b = Curve(dir, killedJob);
        Assert.Equal(20, a.Count);
        Assert.Equal(a.Select(x => x.Step), b.Select(x => x.Step));
        for (int i = 0; i < a.Count; i++)
            Assert.True(Math.Abs(a[i].Loss - b[i].Loss) < 1e-4, $"step {a[i].Step}: {a[i].Loss} uninterrupted vs {b[i].Loss} resumed");
        output.WriteLine($"killed after step {killedAtStep}; max |loss difference| over {a.Count} steps: {a.Zip(b).Max(p => Math.Abs(p.First.Loss - p.Second.Loss)):g3}");
    }

    [Fact]
    public async Task Lever_train_provider_runs_the_hosted_flow_against_levers_own_server_and_records_it()
    {
        var dir = fixture.Dir;
        var client = Path.Combine(dir, "client");
        Directory.CreateDirectory(client);
        File.Copy(Path.Combine(dir, "train.jsonl"), Path.Combine(client, "train.jsonl"));
        File.Copy(Path.Combine(dir, "broken.jsonl"), Path.Combine(client, "broken.jsonl"));
        File.WriteAllText(Path.Combine(client, "lever.yaml"), $"providers:\n  srv:\n    base_url: {fixture.BaseUrl}\n    model: tiny\n    api_key_env: SRV_KEY\n");
        (int Code, string Out, string Err) Train(params string[] args)
        {
            var start = LeverProcess.StartInfo(client, ["train", "--provider", "srv", .. args]);
            start.Environment["SRV_KEY"] = Key;
            start.Environment["LEVER_FINE_TUNING_POLL_MS"] = "200";
            using var p = Process.Start(start)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), "lever train --provider timed out");
            return (p.ExitCode, stdout.Result, stderr.Result);
        }

        var bad = Train("--data", "broken.jsonl");
        Assert.Equal(2, bad.Code);
        Assert.Contains("broken.jsonl:3: invalid JSON", bad.Err, StringComparison.Ordinal);
        Assert.Contains("nothing was uploaded", bad.Err, StringComparison.Ordinal);

        var ok = Train("--data", "train.jsonl", "--epochs", "1", "--suffix", "cli", "--json");
        Assert.True(ok.Code == 0, ok.Err);
        Assert.Contains("step 10/10 loss ", ok.Err, StringComparison.Ordinal);
        Assert.Contains("info: Fine-tuning job started", ok.Err, StringComparison.Ordinal);
        var summary = JsonDocument.Parse(ok.Out.Trim().Split('\n')[^1]).RootElement;
        var job = summary.GetProperty("job").GetString()!;
        var tuned = $"ft:tiny:cli:{job["ftjob-".Length..]}";
        Assert.Equal(("succeeded", tuned), (summary.GetProperty("status").GetString(), summary.GetProperty("fine_tuned_model").GetString()));
        Assert.True(summary.GetProperty("trained_tokens").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("cost_usd").ValueKind); // tiny has no training price
        Assert.Equal(tuned + "@v1", summary.GetProperty("registry").GetString());

        var list = LeverProcess.Run(client, "registry", "list", tuned, "--json");
        Assert.True(list.ExitCode == 0, list.Stderr);
        var version = JsonDocument.Parse(list.Stdout).RootElement.GetProperty("versions")[0];
        Assert.Equal("recipe", version.GetProperty("kind").GetString());
        var lineage = version.GetProperty("lineage");
        Assert.Equal(("lever train --provider", job, "srv"), (lineage.GetProperty("source").GetString(), lineage.GetProperty("job").GetString(), lineage.GetProperty("provider").GetString()));
        Assert.Equal(1, lineage.GetProperty("hyperparameters").GetProperty("n_epochs").GetInt32());
        Assert.Equal("train@v1", lineage.GetProperty("dataset").GetProperty("reference").GetString());
        // The recorded recipe names the provider and the fine-tuned model, so `lever eval --recipe NAME@v1` runs it.
        var recipe = File.ReadAllText(Path.Combine(client, ".lever", "hosted", NameOf(tuned) + ".yaml"));
        Assert.Contains($"model: \"{tuned}\"", recipe, StringComparison.Ordinal);
        Assert.Contains("provider: \"srv\"", recipe, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Method_lever_runs_qlora_and_full_fine_tuning_and_serves_and_registers_each()
    {
        using var http = Http();
        var url = fixture.BaseUrl;
        var fileId = (await Upload(http, url, Path.Combine(fixture.Dir, "train.jsonl"))).GetProperty("id").GetString()!;
        foreach (var (training, kind) in new[] { ("qlora", "adapter"), ("full", "model") })
        {
            var created = await Post(http, url + "/fine_tuning/jobs", JsonSerializer.Serialize(new
            {
                model = "tiny", training_file = fileId, suffix = training, seed = 2,
                method = new { type = "supervised", supervised = new { hyperparameters = new { n_epochs = 1, batch_size = 4 } }, lever = new { training } },
            }));
            var job = await WaitFor(http, url, created.GetProperty("id").GetString()!);
            Assert.True(job.GetProperty("status").GetString() == "succeeded", job.ToString());
            Assert.Equal(training, job.GetProperty("method").GetProperty("lever").GetProperty("training").GetString());
            var model = job.GetProperty("fine_tuned_model").GetString()!;
            var run = Path.Combine(fixture.Dir, ".lever", "server", "jobs", job.GetProperty("id").GetString()!, "run");
            // What lever train wrote: an adapter for QLoRA, a whole checkpoint for full fine-tuning.
            Assert.Equal(training == "full", File.Exists(Path.Combine(run, "model.safetensors")));
            Assert.Equal(training == "qlora", File.Exists(Path.Combine(run, "adapter_model.safetensors")));
            Assert.Equal(training, JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json"))).RootElement.GetProperty("Method").GetString(), ignoreCase: true);

            var chat = await Post(http, url + "/chat/completions", JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content = "Q3: what is 3 plus 1?" } }, max_tokens = 4 }));
            Assert.Equal(model, chat.GetProperty("model").GetString());
            var list = LeverProcess.Run(fixture.Dir, "registry", "list", model, "--json", "--workspace", fixture.Dir);
            Assert.True(list.ExitCode == 0, list.Stderr);
            Assert.Contains($"\"kind\":\"{kind}\"", list.Stdout.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    private static string NameOf(string tuned) => tuned.Replace(':', '-');

    private static List<(int Step, double Loss)> Curve(string dir, string job) =>
        [.. File.ReadAllLines(Path.Combine(dir, ".lever", "server", "jobs", job, "run", "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (e.GetProperty("Step").GetInt32(), e.GetProperty("Loss").GetDouble()))];

    private static HttpClient Http() => ServeFineTuningFixture.AdminHttp();

    private static async Task<JsonElement> Upload(HttpClient http, string baseUrl, string path)
    {
        using var form = new MultipartFormDataContent { { new StringContent("fine-tune"), "purpose" }, { new ByteArrayContent(File.ReadAllBytes(path)), "file", Path.GetFileName(path) } };
        using var response = await http.PostAsync(baseUrl + "/files", form);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> Post(HttpClient http, string url, string json)
    {
        using var response = await http.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> WaitFor(HttpClient http, string baseUrl, string id)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var job = JsonDocument.Parse(await http.GetStringAsync($"{baseUrl}/fine_tuning/jobs/{id}")).RootElement.Clone();
            if (job.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled") return job;
            Assert.True(watch.Elapsed < TimeSpan.FromMinutes(2), $"{id} is still {job.GetProperty("status")}");
            await Task.Delay(100);
        }
    }

    /// <summary>artifacts/node/node_modules (build/setup.sh --tests installs the openai package there), or $LEVER_NODE_MODULES.</summary>
    private static string NodeModules()
    {
        if (Environment.GetEnvironmentVariable("LEVER_NODE_MODULES") is { Length: > 0 } env) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var modules = Path.Combine(dir.FullName, "artifacts", "node", "node_modules");
            if (Directory.Exists(modules))
            {
                Assert.True(Directory.Exists(Path.Combine(modules, "openai")), $"the openai npm package is not installed in {modules}: run build/setup.sh --tests");
                return modules;
            }
        }
        throw new InvalidOperationException("artifacts/node/node_modules not found: run build/setup.sh --tests");
    }
}
