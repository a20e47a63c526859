using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Lever.Server.FineTuning;
using Lever.Server.Tests.TestModels;
using static Lever.Server.Tests.ServerTestHttp;

namespace Lever.Server.Tests;

/// <summary>
/// OpenAI's files and fine-tuning endpoints over real HTTP on 127.0.0.1, with a stand-in trainer (the real one runs in
/// tests/Lever.Cli.Tests): shapes, validation, limits, the admin scope, statuses, events, checkpoints, pagination,
/// cancellation, resuming after a restart, audit lines, and the fine-tuned model served by its ft: id.
/// </summary>
public sealed class FineTuningApiTests : IDisposable
{
    private const string AdminKey = "sk-ft-admin-5d0c1e";
    private const string ChatKey = "sk-ft-chat-9b2a7f";
    private readonly string _dir = Directory.CreateTempSubdirectory("lever-ft-api").FullName;

    private static string Examples(int n) => string.Concat(Enumerable.Range(0, n).Select(i => $"{{\"prompt\":\"q{i}\",\"completion\":\"a{i}\"}}\n"));

    private sealed class Host(FineTuningService service, OpenAiServer server, FineTunedModels models) : IAsyncDisposable
    {
        public FineTuningService Service => service;

        public string Url => server.BaseUrl;

        public async ValueTask DisposeAsync()
        {
            await server.DisposeAsync();
            service.Dispose();
            models.Dispose();
        }
    }

    private async Task<Host> Start(FakeTrainer trainer, ListRecorder? recorder = null, FineTuningSettings? settings = null)
    {
        var models = new FineTunedModels(a => new ScriptedChatClient(_ => "tuned by " + a.JobId));
        var service = new FineTuningService(_dir, settings ?? new FineTuningSettings { CheckpointEvery = 2, Threads = 1 }, trainer, recorder, [models]);
        var keyring = new ServerKeyring()
            .Add(new ServerIdentity("ops", null, [], [ServerScope.Admin]), AdminKey)
            .Add(new ServerIdentity("chatter", null, [], [ServerScope.Chat]), ChatKey);
        var server = OpenAiServer.Create([ServedModel.Of("base", new ScriptedChatClient(_ => "base answer"))], null,
            new ServerOptions { Port = 0, Keyring = keyring, MoreModels = models });
        FineTuningApi.Map(server, service);
        await server.StartAsync();
        service.Start();
        return new Host(service, server, models);
    }

    private static async Task<(int Status, JsonElement Body)> Upload(string url, string key, string content, string purpose = "fine-tune", string filename = "train.jsonl")
    {
        using var form = new MultipartFormDataContent { { new StringContent(purpose), "purpose" }, { new ByteArrayContent(Encoding.UTF8.GetBytes(content)), "file", filename } };
        using var request = new HttpRequestMessage(HttpMethod.Post, url + "/files") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static async Task<JsonElement> WaitFor(string url, string jobId, params string[] statuses)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var (_, job, _) = await Send(HttpMethod.Get, $"{url}/fine_tuning/jobs/{jobId}", AdminKey);
            if (statuses.Contains(job.GetProperty("status").GetString())) return job;
            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} is still {job.GetProperty("status")}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Files_are_validated_stored_under_server_ids_listed_read_back_and_deleted()
    {
        await using var host = await Start(new FakeTrainer(), settings: new FineTuningSettings { MaxFileBytes = 2000 });
        var content = Examples(20);
        var (status, file) = await Upload(host.Url, AdminKey, content, filename: "../../etc/evil.jsonl");
        Assert.Equal(200, status);
        var id = file.GetProperty("id").GetString()!;
        Assert.Matches("^file-[0-9a-f]{24}$", id);
        Assert.Equal("file", file.GetProperty("object").GetString());
        Assert.Equal(Encoding.UTF8.GetByteCount(content), file.GetProperty("bytes").GetInt64());
        Assert.Equal("evil.jsonl", file.GetProperty("filename").GetString());
        Assert.Equal("fine-tune", file.GetProperty("purpose").GetString());
        Assert.Equal("processed", file.GetProperty("status").GetString());
        // Stored by its id, never by the client's name.
        Assert.Equal([id + ".json", id + ".jsonl"], Directory.GetFiles(host.Service.FilesDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var (s2, list, _) = await Send(HttpMethod.Get, host.Url + "/files", AdminKey);
        Assert.Equal(200, s2);
        Assert.Equal("list", list.GetProperty("object").GetString());
        Assert.Equal(id, list.GetProperty("data")[0].GetProperty("id").GetString());
        Assert.Equal(200, (await Send(HttpMethod.Get, $"{host.Url}/files/{id}", AdminKey)).Status);
        using (var get = new HttpRequestMessage(HttpMethod.Get, $"{host.Url}/files/{id}/content"))
        {
            get.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
            using var r = await Http.SendAsync(get);
            Assert.Equal(content, await r.Content.ReadAsStringAsync());
        }

        // A malformed file is refused with its line; nothing is stored.
        var broken = Examples(3) + "{\"prompt\": \"q\", \n" + Examples(2);
        var (s3, bad) = await Upload(host.Url, AdminKey, broken);
        Assert.Equal(400, s3);
        Assert.Equal("invalid_file", Error(bad, "code"));
        Assert.Contains("line 4: invalid JSON", Error(bad, "message"), StringComparison.Ordinal);
        Assert.Equal(2, Directory.GetFiles(host.Service.FilesDirectory).Length);

        var (s4, purpose) = await Upload(host.Url, AdminKey, content, purpose: "assistants");
        Assert.Equal(400, s4);
        Assert.Equal("purpose", Error(purpose, "param"));
        var (s5, big) = await Upload(host.Url, AdminKey, Examples(200));
        Assert.Equal(413, s5);
        Assert.Contains("server.fine_tuning.max_file_bytes", Error(big, "message"), StringComparison.Ordinal);

        // Ids that are not server ids, paths included, are simply not found.
        foreach (var probe in new[] { "..%2F..%2Fetc%2Fpasswd", "file-xyz", id + ".json" })
            Assert.Equal(404, (await Send(HttpMethod.Get, $"{host.Url}/files/{probe}", AdminKey)).Status);

        var (s6, deleted, _) = await Send(HttpMethod.Delete, $"{host.Url}/files/{id}", AdminKey);
        Assert.Equal(200, s6);
        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        Assert.Equal(404, (await Send(HttpMethod.Get, $"{host.Url}/files/{id}", AdminKey)).Status);
        Assert.Empty(Directory.GetFiles(host.Service.FilesDirectory));
    }

    /// <summary>Records the job's status at the moment its model is announced.</summary>
    private sealed class StatusAtAnnouncement(Func<FineTuningService> service) : IFineTunedModelHost
    {
        public List<(string Job, string Status)> Seen { get; } = [];

        public void AdapterReady(FineTunedAdapter adapter) => Seen.Add((adapter.JobId, service().Job(adapter.JobId).Status));
    }

    [Fact]
    public async Task A_jobs_model_is_servable_before_the_job_reads_succeeded()
    {
        // A client that polls until "succeeded" and then asks for fine_tuned_model must find it (the kill-under-load
        // process test first caught /v1/models without a model whose job already read succeeded).
        FineTuningService? service = null;
        var probe = new StatusAtAnnouncement(() => service!);
        service = new FineTuningService(_dir, new FineTuningSettings { CheckpointEvery = 2, Threads = 1 }, new FakeTrainer(), null, [probe]);
        using (service)
        {
            service.Start();
            var path = Path.Combine(_dir, "upload.jsonl");
            File.WriteAllText(path, Examples(20));
            var file = service.AddFile(path, "train.jsonl", "fine-tune");
            var job = service.Create("base", file.Id, null, "probe", 3, null, 1, 2, null, new ServerIdentity("ops", null, [], [ServerScope.Admin]));
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (service.Job(job.Id).Status != "succeeded" && DateTime.UtcNow < deadline) await Task.Delay(10);
            Assert.Equal([(job.Id, "running")], probe.Seen);
        }
    }

    [Fact]
    public async Task Every_endpoint_needs_the_admin_scope()
    {
        await using var host = await Start(new FakeTrainer());
        var (_, file) = await Upload(host.Url, AdminKey, Examples(5));
        var id = file.GetProperty("id").GetString()!;
        var probes = new (HttpMethod, string, string?)[]
        {
            (HttpMethod.Get, "/files", null), (HttpMethod.Get, $"/files/{id}", null), (HttpMethod.Get, $"/files/{id}/content", null), (HttpMethod.Delete, $"/files/{id}", null),
            (HttpMethod.Post, "/fine_tuning/jobs", $$"""{"model":"base","training_file":"{{id}}"}"""), (HttpMethod.Get, "/fine_tuning/jobs", null),
            (HttpMethod.Get, "/fine_tuning/jobs/ftjob-000000000000000000000000", null), (HttpMethod.Post, "/fine_tuning/jobs/ftjob-000000000000000000000000/cancel", "{}"),
            (HttpMethod.Get, "/fine_tuning/jobs/ftjob-000000000000000000000000/events", null), (HttpMethod.Get, "/fine_tuning/jobs/ftjob-000000000000000000000000/checkpoints", null),
        };
        foreach (var (method, path, json) in probes)
        {
            var (status, body, _) = await Send(method, host.Url + path, ChatKey, json);
            Assert.True(status == 403, $"{method} {path}: {status}");
            Assert.Contains("lacks the 'admin' scope", Error(body, "message"), StringComparison.Ordinal);
            Assert.Equal(401, (await Send(method, host.Url + path, null, json)).Status);
        }
        var (s, _) = await Upload(host.Url, ChatKey, Examples(5));
        Assert.Equal(403, s);
    }

    [Fact]
    public async Task A_job_goes_validating_queued_running_succeeded_with_auto_resolved_events_checkpoints_audit_and_its_model_served()
    {
        var trainer = new FakeTrainer();
        var recorder = new ListRecorder();
        await using var host = await Start(trainer, recorder);
        var (_, file) = await Upload(host.Url, AdminKey, Examples(20));
        var fileId = file.GetProperty("id").GetString()!;

        var (status, job, _) = await Send(HttpMethod.Post, host.Url + "/fine_tuning/jobs", AdminKey, """
            {"model":"base","training_file":"FILE","suffix":"demo","seed":7,"metadata":{"team":"a"},
             "method":{"type":"supervised","supervised":{"hyperparameters":{"n_epochs":1,"batch_size":"auto"}}}}
            """.Replace("FILE", fileId, StringComparison.Ordinal));
        Assert.Equal(200, status);
        var id = job.GetProperty("id").GetString()!;
        Assert.Matches("^ftjob-[0-9a-f]{24}$", id);
        Assert.Equal("fine_tuning.job", job.GetProperty("object").GetString());
        Assert.Equal("auto", job.GetProperty("hyperparameters").GetProperty("batch_size").GetString());
        Assert.Equal(1, job.GetProperty("hyperparameters").GetProperty("n_epochs").GetInt32());
        Assert.Equal(7, job.GetProperty("seed").GetInt32());
        Assert.Equal("a", job.GetProperty("metadata").GetProperty("team").GetString());
        Assert.Equal(JsonValueKind.Null, job.GetProperty("fine_tuned_model").ValueKind);

        var done = await WaitFor(host.Url, id, "succeeded", "failed");
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        var model = $"ft:base:demo:{id["ftjob-".Length..]}";
        Assert.Equal(model, done.GetProperty("fine_tuned_model").GetString());
        var hyper = done.GetProperty("method").GetProperty("supervised").GetProperty("hyperparameters");
        Assert.Equal(2, hyper.GetProperty("batch_size").GetInt32());   // auto: 20 examples / 10, within 1..8
        Assert.Equal(1.0, hyper.GetProperty("learning_rate_multiplier").GetDouble());
        Assert.Equal(1000, done.GetProperty("trained_tokens").GetInt64());
        Assert.True(done.GetProperty("finished_at").GetInt64() >= done.GetProperty("created_at").GetInt64());
        var request = Assert.Single(trainer.Requests);
        Assert.Equal((1, 2, 7, false), (request.Epochs, request.BatchSize, request.Seed, request.Resume));

        // Events: newest first; status changes and one metrics event per step.
        var (_, events, _) = await Send(HttpMethod.Get, $"{host.Url}/fine_tuning/jobs/{id}/events?limit=100", AdminKey);
        var all = events.GetProperty("data").EnumerateArray().Reverse().ToList();
        Assert.All(all, e => Assert.Equal("fine_tuning.job.event", e.GetProperty("object").GetString()));
        var messages = all.Where(e => e.GetProperty("type").GetString() == "message").Select(e => e.GetProperty("message").GetString()!).ToList();
        Assert.StartsWith("Created fine-tuning job", messages[0], StringComparison.Ordinal);
        Assert.StartsWith("Validating training file", messages[1], StringComparison.Ordinal);
        Assert.Contains("batch_size=2", messages[2], StringComparison.Ordinal);
        Assert.Equal(["Fine-tuning job queued", "Fine-tuning job started"], messages[3..5]);
        Assert.Equal("The job has successfully completed", messages[^1]);
        var metrics = all.Where(e => e.GetProperty("type").GetString() == "metrics").ToList();
        Assert.Equal(Enumerable.Range(1, 10), metrics.Select(e => e.GetProperty("data").GetProperty("step").GetInt32()));
        Assert.Equal(0.5, metrics[1].GetProperty("data").GetProperty("train_loss").GetDouble());
        var (_, page, _) = await Send(HttpMethod.Get, $"{host.Url}/fine_tuning/jobs/{id}/events?limit=3", AdminKey);
        Assert.True(page.GetProperty("has_more").GetBoolean());
        var after = page.GetProperty("data")[2].GetProperty("id").GetString();
        var (_, next, _) = await Send(HttpMethod.Get, $"{host.Url}/fine_tuning/jobs/{id}/events?limit=3&after={after}", AdminKey);
        Assert.Equal(all[^4].GetProperty("id").GetString(), next.GetProperty("data")[0].GetProperty("id").GetString());

        // Checkpoints every 2 steps, newest first.
        var (_, checkpoints, _) = await Send(HttpMethod.Get, $"{host.Url}/fine_tuning/jobs/{id}/checkpoints", AdminKey);
        var steps = checkpoints.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("step_number").GetInt32()).ToList();
        Assert.Equal([10, 8, 6, 4, 2], steps);
        var last = checkpoints.GetProperty("data")[0];
        Assert.Equal("fine_tuning.job.checkpoint", last.GetProperty("object").GetString());
        Assert.Equal(id, last.GetProperty("fine_tuning_job_id").GetString());
        Assert.Equal(0.1, last.GetProperty("metrics").GetProperty("train_loss").GetDouble(), 9);

        // Served by its ft: id, listed by /v1/models.
        var (_, models, _) = await Send(HttpMethod.Get, host.Url + "/models", ChatKey);
        Assert.Equal(["base", model], models.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        var (cs, chat, _) = await Chat(host.Url, ChatKey, $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(200, cs);
        Assert.Equal("tuned by " + id, chat.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

        Assert.Equal(["created", "succeeded"], recorder.Audits.Select(a => a.Action));
        Assert.Equal("ops", recorder.Audits.First().Fields["identity"]!.GetValue<string>());
        Assert.Equal(model + "@v1", recorder.Audits.Last().Fields["registered"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_job_requests_are_400_or_404_naming_the_field()
    {
        await using var host = await Start(new FakeTrainer());
        var (_, file) = await Upload(host.Url, AdminKey, Examples(5));
        var fileId = file.GetProperty("id").GetString()!;
        async Task Refused(string json, int status, string param, string phrase)
        {
            var (s, body, _) = await Send(HttpMethod.Post, host.Url + "/fine_tuning/jobs", AdminKey, json);
            Assert.True(s == status, $"{json}: {s} {body}");
            Assert.Equal(param, Error(body, "param"));
            Assert.Contains(phrase, Error(body, "message"), StringComparison.Ordinal);
        }
        await Refused($$"""{"model":"gpt-4o","training_file":"{{fileId}}"}""", 404, "model", "it can fine-tune: base");
        await Refused("""{"model":"base","training_file":"file-000000000000000000000000"}""", 400, "training_file", "not a file on this server");
        await Refused("""{"model":"base","training_file":"/etc/passwd"}""", 400, "training_file", "not a file on this server");
        await Refused($$$"""{"model":"base","training_file":"{{{fileId}}}","method":{"type":"dpo"}}""", 400, "method", "not supported");
        await Refused("""{"model":"base","training_file":"FILE","method":{"type":"supervised","supervised":{"hyperparameters":{"n_epochs":0}}}}""".Replace("FILE", fileId, StringComparison.Ordinal), 400, "n_epochs", "from 1 to 50");
        await Refused($$"""{"model":"base","training_file":"{{fileId}}","suffix":"a:b"}""", 400, "suffix", "at most 64");
        Assert.Equal(404, (await Send(HttpMethod.Get, host.Url + "/fine_tuning/jobs/ftjob-000000000000000000000000", AdminKey)).Status);
        string Lever(string lever) => $$$"""{"model":"base","training_file":"{{{fileId}}}","method":{"type":"supervised","lever":{{{lever}}}}}""";
        await Refused(Lever("""{"training":"dora"}"""), 400, "method.lever.training", "one of lora, qlora, full");
        await Refused(Lever("""{"training":"lora","rank":8}"""), 400, "method.lever", "method.lever.rank is not a field");
        await Refused(Lever("""{"training":"full","lora_rank":8}"""), 400, "method.lever.lora_rank", "not to full fine-tuning");
        await Refused(Lever("""{"lora_rank":0}"""), 400, "method.lever.lora_rank", "from 1 to 256");
        await Refused(Lever("\"qlora\""), 400, "method.lever", "must be an object");
    }

    [Fact]
    public async Task Method_lever_picks_qlora_or_full_and_the_rank_and_the_job_and_the_trainer_see_it()
    {
        var trainer = new FakeTrainer();
        await using var host = await Start(trainer);
        var (_, file) = await Upload(host.Url, AdminKey, Examples(20));
        var fileId = file.GetProperty("id").GetString()!;
        var methods = new List<JsonElement>();
        foreach (var lever in new[] { "null", """{"training":"qlora","lora_rank":4}""", """{"training":"full"}""" })
        {
            var (status, job, _) = await Send(HttpMethod.Post, host.Url + "/fine_tuning/jobs", AdminKey,
                $$$"""{"model":"base","training_file":"{{{fileId}}}","method":{"type":"supervised","lever":{{{lever}}}}}""");
            Assert.Equal(200, status);
            methods.Add((await WaitFor(host.Url, job.GetProperty("id").GetString()!, "succeeded")).GetProperty("method"));
        }
        string Lever(JsonElement m) => m.GetProperty("lever").GetRawText();
        Assert.Equal(["""{"training":"lora","lora_rank":"auto"}""", """{"training":"qlora","lora_rank":4}""", """{"training":"full"}"""], methods.Select(Lever));
        Assert.All(methods, m => Assert.Equal("supervised", m.GetProperty("type").GetString()));
        Assert.Equal([new FineTuneMethod("lora"), new FineTuneMethod("qlora", 4), new FineTuneMethod("full")], trainer.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task Cancel_stops_a_running_job_and_a_queued_one_lists_page_with_after_and_limit()
    {
        var trainer = new FakeTrainer { Hold = new SemaphoreSlim(0) };
        var recorder = new ListRecorder();
        await using var host = await Start(trainer, recorder);
        var (_, file) = await Upload(host.Url, AdminKey, Examples(20));
        var create = $$"""{"model":"base","training_file":"{{file.GetProperty("id").GetString()}}"}""";
        var ids = new List<string>();
        for (int i = 0; i < 3; i++) ids.Add((await Send(HttpMethod.Post, host.Url + "/fine_tuning/jobs", AdminKey, create)).Body.GetProperty("id").GetString()!);
        var running = await WaitFor(host.Url, ids[0], "running");
        Assert.Equal(3, running.GetProperty("hyperparameters").GetProperty("n_epochs").GetInt32()); // auto
        trainer.Hold.Release(3);
        while (trainer.StepsRun.Count < 3) await Task.Delay(10);

        // The queued one first (the worker is busy with the first job, so it never starts), then the running one.
        Assert.Equal("cancelled", (await Send(HttpMethod.Post, $"{host.Url}/fine_tuning/jobs/{ids[1]}/cancel", AdminKey, "{}")).Body.GetProperty("status").GetString());
        var (s, cancelled, _) = await Send(HttpMethod.Post, $"{host.Url}/fine_tuning/jobs/{ids[0]}/cancel", AdminKey, "{}");
        Assert.Equal(200, s);
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        var (again, body, _) = await Send(HttpMethod.Post, $"{host.Url}/fine_tuning/jobs/{ids[0]}/cancel", AdminKey, "{}");
        Assert.Equal(400, again);
        Assert.Contains("already been cancelled", Error(body, "message"), StringComparison.Ordinal);

        // The third job runs next; the first never resumes.
        await WaitFor(host.Url, ids[2], "running");
        trainer.Hold.Release(1000);
        await WaitFor(host.Url, ids[2], "succeeded");
        Assert.Equal("cancelled", (await WaitFor(host.Url, ids[0], "cancelled")).GetProperty("status").GetString());
        Assert.Equal(2, trainer.Requests.Count);
        Assert.Equal(3, recorder.Audits.Count(a => a.Action == "created"));
        Assert.Equal(2, recorder.Audits.Count(a => a.Action == "cancelled"));

        var (_, first, _) = await Send(HttpMethod.Get, host.Url + "/fine_tuning/jobs?limit=2", AdminKey);
        Assert.Equal([ids[2], ids[1]], first.GetProperty("data").EnumerateArray().Select(j => j.GetProperty("id").GetString()!));
        Assert.True(first.GetProperty("has_more").GetBoolean());
        var (_, rest, _) = await Send(HttpMethod.Get, $"{host.Url}/fine_tuning/jobs?limit=2&after={ids[1]}", AdminKey);
        Assert.Equal([ids[0]], rest.GetProperty("data").EnumerateArray().Select(j => j.GetProperty("id").GetString()!));
        Assert.False(rest.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task A_job_running_when_the_server_stops_resumes_from_its_checkpoint_on_the_next_start()
    {
        var trainer = new FakeTrainer { Hold = new SemaphoreSlim(0) };
        string id;
        await using (var host = await Start(trainer))
        {
            var (_, file) = await Upload(host.Url, AdminKey, Examples(20));
            id = (await Send(HttpMethod.Post, host.Url + "/fine_tuning/jobs", AdminKey, $$$"""{"model":"base","training_file":"{{{file.GetProperty("id").GetString()}}}","hyperparameters":{"n_epochs":1}}""")).Body.GetProperty("id").GetString()!;
            await WaitFor(host.Url, id, "running");
            trainer.Hold.Release(5);
            while (trainer.StepsRun.Count < 5) await Task.Delay(10);
        }
        // Stopped after step 5; its last checkpoint was step 4. A new server over the same folder resumes it.
        var second = new FakeTrainer();
        await using (var host = await Start(second))
        {
            var done = await WaitFor(host.Url, id, "succeeded", "failed");
            Assert.Equal("succeeded", done.GetProperty("status").GetString());
            var request = Assert.Single(second.Requests);
            Assert.True(request.Resume);
            Assert.Equal([5, 6, 7, 8, 9, 10], second.StepsRun);
            var (_, events, _) = await Send(HttpMethod.Get, $"{host.Url}/fine_tuning/jobs/{id}/events?limit=100", AdminKey);
            var list = events.GetProperty("data").EnumerateArray().Reverse().ToList();
            Assert.Equal(Enumerable.Range(1, 10), list.Where(e => e.GetProperty("type").GetString() == "metrics").Select(e => e.GetProperty("data").GetProperty("step").GetInt32()));
            Assert.Contains(list, e => e.GetProperty("message").GetString() == "Server restarted: resuming the job from its last checkpoint");
            // The restarted server serves the model of every succeeded job.
            var (_, models, _) = await Send(HttpMethod.Get, host.Url + "/models", AdminKey);
            Assert.Contains(done.GetProperty("fine_tuned_model").GetString(), models.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        }
    }

    [Fact]
    public async Task Jobs_beyond_max_queued_jobs_are_429()
    {
        var trainer = new FakeTrainer { Hold = new SemaphoreSlim(0) };
        await using var host = await Start(trainer, settings: new FineTuningSettings { MaxQueuedJobs = 1, Threads = 1 });
        var (_, file) = await Upload(host.Url, AdminKey, Examples(5));
        var create = """{"model":"base","training_file":"FILE"}""".Replace("FILE", file.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(200, (await Send(HttpMethod.Post, host.Url + "/fine_tuning/jobs", AdminKey, create)).Status);
        var (status, body, _) = await Send(HttpMethod.Post, host.Url + "/fine_tuning/jobs", AdminKey, create);
        Assert.Equal(429, status);
        Assert.Contains("server.fine_tuning.max_queued_jobs", Error(body, "message"), StringComparison.Ordinal);
        trainer.Hold.Release(1000);
    }

    [Fact]
    public void Server_fine_tuning_settings_bind_from_lever_yaml_and_a_bad_value_cites_its_line()
    {
        var settings = ServerSettings.Load(Lever.Core.Config.LeverConfig.Parse("lever.yaml", "server:\n  fine_tuning:\n    max_file_bytes: 1000\n    max_queued_jobs: 2\n    threads: 3\n    checkpoint_every: 5\n"));
        Assert.Equal((1000L, 2, 3, 5), (settings.FineTuning.MaxFileBytes, settings.FineTuning.MaxQueuedJobs, settings.FineTuning.EffectiveThreads, settings.FineTuning.CheckpointEvery));
        Assert.Equal(Math.Max(1, Environment.ProcessorCount - 1), new FineTuningSettings().EffectiveThreads);
        var ex = Assert.Throws<Lever.Core.LeverUserException>(() => ServerSettings.Load(Lever.Core.Config.LeverConfig.Parse("lever.yaml", "server:\n  fine_tuning:\n    checkpoint_every: 0\n")));
        Assert.Contains("lever.yaml:3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("server.fine_tuning.checkpoint_every", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
        }
    }
}
