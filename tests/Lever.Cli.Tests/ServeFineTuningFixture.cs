using System.Diagnostics;
using System.Text.Json;

namespace Lever.Cli.Tests;

/// <summary>
/// A workspace with the tiny preset and 20 training examples, and one <c>lever serve --model tiny --fine-tuning</c> on it,
/// shared by the fine-tuning tests that can share a server (the npm client's and <c>lever train --provider</c>'s).
/// </summary>
public sealed class ServeFineTuningFixture : IAsyncLifetime
{
    /// <summary>The server's admin key (LEVER_SERVER_KEY).</summary>
    public const string Key = "ft-test-admin-key-3c9d";

    private readonly TempWorkspace _tmp = new("lever-cli-ft-");
    private Served? _served;

    /// <summary>The server's workspace.</summary>
    public string Dir => _tmp.Root;

    /// <summary>The running server's base URL (…/v1).</summary>
    public string BaseUrl => _served!.BaseUrl;

    public async Task InitializeAsync()
    {
        MakeWorkspace(Dir);
        _served = await Serve(Dir);
    }

    public Task DisposeAsync()
    {
        _served?.Dispose();
        _tmp.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>The tiny preset as <c>tiny/</c>, train.jsonl (20 examples) and broken.jsonl (line 3 is not JSON).</summary>
    public static void MakeWorkspace(string dir)
    {
        var init = LeverProcess.Run(dir, "model", "init", "--config", "tiny", "-o", "tiny", "--seed", "3");
        Assert.True(init.ExitCode == 0, init.Stderr);
        File.WriteAllLines(Path.Combine(dir, "train.jsonl"), Enumerable.Range(0, 20).Select(i =>
            JsonSerializer.Serialize(new { prompt = $"Q{i}: what is {i} plus 1?", completion = $" {i + 1}" })));
        File.WriteAllLines(Path.Combine(dir, "broken.jsonl"), ["{\"prompt\": \"a\", \"completion\": \"b\"}", "{\"prompt\": \"a\", \"completion\": \"c\"}", "{\"prompt\": \"x\", "]);
    }

    /// <summary><see cref="MakeWorkspace(string)"/> with lever.yaml setting jobs to 1 thread and a checkpoint every <paramref name="checkpointEvery"/> steps.</summary>
    public static void MakeWorkspace(string dir, int checkpointEvery)
    {
        MakeWorkspace(dir);
        File.WriteAllText(Path.Combine(dir, "lever.yaml"), $"server:\n  fine_tuning:\n    checkpoint_every: {checkpointEvery}\n    threads: 1\n");
    }

    /// <summary>An HTTP client with the admin key, for the fine-tuning endpoints.</summary>
    public static HttpClient AdminHttp()
    {
        var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Key);
        return http;
    }

    /// <summary>Starts <c>lever serve --model tiny --fine-tuning</c> in <paramref name="dir"/> and waits for its first line.</summary>
    public static async Task<Served> Serve(string dir)
    {
        var start = LeverProcess.StartInfo(dir, ["serve", "--model", "tiny", "--fine-tuning", "--port", "0", "--workspace", dir]);
        start.Environment["LEVER_SERVER_KEY"] = Key;
        var process = Process.Start(start)!;
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(line is not null && line.StartsWith("lever serve: http://127.0.0.1:", StringComparison.Ordinal), $"{line} {(process.HasExited ? await process.StandardError.ReadToEndAsync() : "")}");
        Assert.Contains("fine-tuning on 'tiny'", line, StringComparison.Ordinal);
        // Drained in the background, so access-log lines never block the server on a full pipe.
        _ = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is not null) { }
        });
        _ = process.StandardError.ReadToEndAsync();
        return new Served(process, line["lever serve: ".Length..].Split(' ')[0]);
    }

    /// <summary>A running <c>lever serve</c> and its base URL; disposing kills it.</summary>
    public sealed class Served(Process process, string baseUrl) : IDisposable
    {
        public Process Process => process;

        public string BaseUrl => baseUrl;

        public void Dispose()
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
        }
    }
}
