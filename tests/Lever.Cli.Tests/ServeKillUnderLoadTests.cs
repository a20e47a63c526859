using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Lever.Cli.Tests;

/// <summary>
/// kill -9 of <c>lever serve --fine-tuning</c> while clients chat, upload training files, create jobs and poll them:
/// every write the server acknowledged (an uploaded file, a created job, a job reported succeeded and the registry
/// version behind it) is there after a restart, byte for byte, and the jobs that were queued or running finish.
/// </summary>
public sealed class ServeKillUnderLoadTests(ITestOutputHelper output)
{
    private const int MaxJobs = 4;

    [Trait("tier", "slow")]
    [Fact]
    public async Task A_kill_9_under_load_loses_no_acknowledged_upload_job_or_registry_entry()
    {
        using var tmp = new TempWorkspace("lever-cli-kill-load-");
        var dir = tmp.Root;
        ServeFineTuningFixture.MakeWorkspace(dir, checkpointEvery: 2);
        var train = File.ReadAllText(Path.Combine(dir, "train.jsonl"));

        var uploads = new ConcurrentDictionary<string, byte[]>();   // acknowledged: file id → the bytes sent
        var jobs = new ConcurrentDictionary<string, string>();      // acknowledged: job id → its training file
        var succeeded = new ConcurrentDictionary<string, string>(); // reported succeeded: job id → fine_tuned_model
        int chats = 0, refused = 0;

        using (var served = await ServeFineTuningFixture.Serve(dir))
        {
            using var http = Http();
            using var stop = new CancellationTokenSource();
            var url = served.BaseUrl;

            // Acknowledged means a success status and the whole body read; a request the kill cut off is not.
            async Task Loop(Func<Task> step)
            {
                while (!stop.IsCancellationRequested)
                {
                    try { await step(); }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException) { if (!stop.IsCancellationRequested) await Task.Delay(20); }
                }
            }
            async Task Chat()
            {
                using var r = await http.PostAsync(url + "/chat/completions", Json("""{"model":"tiny","messages":[{"role":"user","content":"Q3: what is 3 plus 1?"}],"max_tokens":8}"""), stop.Token);
                await r.Content.ReadAsStringAsync(stop.Token);
                if (r.IsSuccessStatusCode) Interlocked.Increment(ref chats); else Interlocked.Increment(ref refused);
            }
            async Task UploadOne(int worker)
            {
                // Each upload is distinct content: the 20 examples plus one naming its writer and sequence number.
                var n = uploads.Count;
                var bytes = Encoding.UTF8.GetBytes(train + JsonSerializer.Serialize(new { prompt = $"upload {worker}.{n}.{Guid.NewGuid():N}", completion = " ok" }) + "\n");
                using var form = new MultipartFormDataContent { { new StringContent("fine-tune"), "purpose" }, { new ByteArrayContent(bytes), "file", $"u{worker}-{n}.jsonl" } };
                using var r = await http.PostAsync(url + "/files", form, stop.Token);
                var text = await r.Content.ReadAsStringAsync(stop.Token);
                if (!r.IsSuccessStatusCode) { Interlocked.Increment(ref refused); return; }
                uploads[JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!] = bytes;
            }
            async Task CreateJob()
            {
                if (jobs.Count >= MaxJobs || uploads.IsEmpty) { await Task.Delay(100, stop.Token); return; }
                var file = uploads.Keys.Except(jobs.Values).FirstOrDefault();
                if (file is null) { await Task.Delay(50, stop.Token); return; }
                using var r = await http.PostAsync(url + "/fine_tuning/jobs", Json(JsonSerializer.Serialize(new { model = "tiny", training_file = file, seed = jobs.Count + 1, suffix = "load", hyperparameters = new { n_epochs = 1, batch_size = 4 } })), stop.Token);
                var text = await r.Content.ReadAsStringAsync(stop.Token);
                if (!r.IsSuccessStatusCode) { Interlocked.Increment(ref refused); return; }
                jobs[JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!] = file;
                await Task.Delay(300, stop.Token);
            }
            async Task Poll()
            {
                foreach (var id in jobs.Keys.Except(succeeded.Keys).ToList())
                {
                    var job = await GetJson(http, $"{url}/fine_tuning/jobs/{id}", stop.Token);
                    if (job.GetProperty("status").GetString() == "succeeded") succeeded[id] = job.GetProperty("fine_tuned_model").GetString()!;
                }
                await Task.Delay(50, stop.Token);
            }

            var load = new List<Task>();
            for (int i = 0; i < 4; i++) load.Add(Task.Run(() => Loop(Chat)));
            for (int i = 0; i < 2; i++) { var w = i; load.Add(Task.Run(() => Loop(() => UploadOne(w)))); }
            load.Add(Task.Run(() => Loop(CreateJob)));
            load.Add(Task.Run(() => Loop(Poll)));

            // Killed once a job has succeeded (so a registry write was acknowledged) and the others are queued or running.
            var watch = Stopwatch.StartNew();
            while (!(succeeded.Count >= 1 && jobs.Count == MaxJobs && uploads.Count >= 8) && watch.Elapsed < TimeSpan.FromMinutes(3)) await Task.Delay(10);
            Assert.True(succeeded.Count >= 1 && jobs.Count == MaxJobs, $"under load for {watch.Elapsed.TotalSeconds:0} s: {uploads.Count} uploads, {jobs.Count} jobs, {succeeded.Count} succeeded");
            served.Process.Kill(); // SIGKILL in the middle of requests: nothing is flushed, no handler runs
            served.Process.WaitForExit();
            stop.Cancel();
            await Task.WhenAll(load);
            Assert.Equal(0, refused);
            Assert.True(chats > 0);
            output.WriteLine($"killed after {watch.Elapsed.TotalSeconds:0.0} s of load: {chats} chats, {uploads.Count} uploads, {jobs.Count} jobs ({succeeded.Count} succeeded) acknowledged");
        }

        using (var served = await ServeFineTuningFixture.Serve(dir))
        {
            using var http = Http();
            var url = served.BaseUrl;
            foreach (var (id, bytes) in uploads)
            {
                var file = await GetJson(http, $"{url}/files/{id}", CancellationToken.None);
                Assert.Equal(bytes.Length, file.GetProperty("bytes").GetInt64());
                Assert.Equal(bytes, await http.GetByteArrayAsync($"{url}/files/{id}/content"));
            }
            foreach (var (id, model) in succeeded)
            {
                var job = await GetJson(http, $"{url}/fine_tuning/jobs/{id}", CancellationToken.None);
                Assert.Equal(("succeeded", model), (job.GetProperty("status").GetString(), job.GetProperty("fine_tuned_model").GetString()));
            }
            // The jobs that were queued or running when the server died finish after the restart.
            var watch = Stopwatch.StartNew();
            foreach (var id in jobs.Keys)
            {
                JsonElement job;
                while ((job = await GetJson(http, $"{url}/fine_tuning/jobs/{id}", CancellationToken.None)).GetProperty("status").GetString() is not ("succeeded" or "failed" or "cancelled"))
                {
                    Assert.True(watch.Elapsed < TimeSpan.FromMinutes(3), $"{id} is still {job.GetProperty("status")} after the restart");
                    await Task.Delay(100);
                }
                Assert.Equal(("succeeded", jobs[id]), (job.GetProperty("status").GetString(), job.GetProperty("training_file").GetString()));
                if (!succeeded.ContainsKey(id)) succeeded[id] = job.GetProperty("fine_tuned_model").GetString()!;
            }
            var listed = (await GetJson(http, url + "/models", CancellationToken.None)).GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToHashSet();
            Assert.Superset(succeeded.Values.ToHashSet(), listed!);
        }

        // Every succeeded job is a registry version, and the audit trail's hash chain is intact across the kill.
        foreach (var model in succeeded.Values)
        {
            var list = LeverProcess.Run(dir, "registry", "list", model, "--json");
            Assert.True(list.ExitCode == 0, list.Stderr);
            Assert.Equal(1, JsonDocument.Parse(list.Stdout).RootElement.GetProperty("versions").GetArrayLength());
        }
        var verify = LeverProcess.Run(dir, "audit", "verify");
        Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> GetJson(HttpClient http, string url, CancellationToken ct)
    {
        using var r = await http.GetAsync(url, ct);
        var text = await r.Content.ReadAsStringAsync(ct);
        Assert.True(r.IsSuccessStatusCode, $"GET {url}: {(int)r.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static HttpClient Http() => ServeFineTuningFixture.AdminHttp();
}
