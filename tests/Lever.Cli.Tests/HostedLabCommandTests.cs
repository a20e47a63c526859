using System.Text.Json.Nodes;

namespace Lever.Cli.Tests;

/// <summary>
/// <c>lever lab</c> with a configured provider that fails: the local rows are measured, saved and printed, the hosted
/// rows are named as not measured, and the command then exits with the provider's error (2: key refused, 3: unreachable).
/// </summary>
public sealed class HostedLabCommandTests
{
    private static string Workspace(string providers)
    {
        var root = Directory.CreateTempSubdirectory("lever-lab-hosted-cli").FullName;
        string[] ham = ["meeting", "patch", "release", "kernel", "review", "thanks"];
        string[] spam = ["free", "money", "offer", "click", "winner", "cash"];
        var rng = new Random(5);
        foreach (var (group, words) in new[] { ("easy-ham-1", ham), ("hard-ham-1", ham), ("spam-1", spam), ("easy-ham-2", ham), ("spam-2", spam) })
        {
            var dir = Directory.CreateDirectory(Path.Combine(root, "corpus", group)).FullName;
            for (var i = 0; i < 12; i++)
                File.WriteAllText(Path.Combine(dir, $"{i:D5}.txt"),
                    $"From: x{i}@example.com\nSubject: {words[i % words.Length]}\n\n{string.Join(' ', Enumerable.Range(0, 20).Select(_ => words[rng.Next(words.Length)]))}\n");
        }
        File.WriteAllText(Path.Combine(root, "lever.yaml"),
            "lab:\n  recipes: [baseline-logreg]\n  dataset:\n    path: corpus\n  compute:\n    requests_per_month: 1000\n" + providers);
        return root;
    }

    [Fact]
    public void A_refused_key_keeps_the_local_rows_names_the_skipped_ones_and_exits_2_and_an_unreachable_provider_exits_3()
    {
        // An OpenAI-compatible endpoint on 127.0.0.1 that refuses every key (401), as a real one does for a wrong key.
        using var listener = new FakeOpenAiServer(status: 401);
        var ws = Workspace($"providers:\n  fake:\n    base_url: {listener.BaseUrl}\n    model: gpt-4o-mini\n");
        try
        {
            var refused = LeverProcess.Run(ws, "lab", ws);
            Assert.True(refused.ExitCode == 2, refused.Stdout + refused.Stderr);
            Assert.Contains($"error: provider 'fake' at {listener.BaseUrl} refused the API key (401)", refused.Stderr);
            Assert.Contains("hint: check that the environment variable named by api_key_env", refused.Stderr);
            Assert.Contains("baseline-logreg", refused.Stdout);  // the table of what was measured is printed first
            Assert.Contains("hosted-zero-shot was not measured", refused.Stdout);
            Assert.Contains("hosted-rag-few-shot was not run", refused.Stdout);
            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(ws, ".lever", "lab", "summary.json")))!;
            Assert.Equal(["baseline-logreg"], summary["recipes"]!.AsArray().Select(r => (string)r!["name"]!));

            // Nothing listens on port 9: unreachable after its retries (none here) → exit 3; the baseline is reused.
            File.WriteAllText(Path.Combine(ws, "lever.yaml"), File.ReadAllText(Path.Combine(ws, "lever.yaml"))
                .Replace(listener.BaseUrl, "http://127.0.0.1:9/v1", StringComparison.Ordinal) + "    max_retries: 0\n");
            var down = LeverProcess.Run(ws, "lab", ws);
            Assert.True(down.ExitCode == 3, down.Stdout + down.Stderr);
            Assert.Contains("error: provider 'fake' at http://127.0.0.1:9/v1 is unreachable", down.Stderr);
            Assert.Contains("train:baseline-logreg: reused", down.Stdout);
        }
        finally
        {
            Directory.Delete(ws, recursive: true);
        }
    }
}
