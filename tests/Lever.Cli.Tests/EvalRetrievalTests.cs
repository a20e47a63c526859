using System.Text.Json;
using System.Text.RegularExpressions;
using Lever.Server;
using Microsoft.Extensions.AI;

namespace Lever.Cli.Tests;

/// <summary><c>lever eval</c> with a recipe that retrieves from the workspace's index, as the caller each item names.</summary>
public sealed partial class EvalRetrievalTests : IDisposable
{
    private readonly TempWorkspace _tmp = new("lever-eval-rag-");

    public void Dispose() => _tmp.Dispose();

    /// <summary>Knows nothing itself: answers "What is the X code?" with the X-digits code found in its context, else "unknown".</summary>
    private static ScriptedChatClient ContextOnlyModel() => new(list =>
    {
        var question = ScriptedChatClient.LastUser(list);
        var noun = Noun().Match(question).Groups[1].Value;
        var context = string.Join("\n", list.Where(m => m.Role == ChatRole.System).Select(m => m.Text));
        var found = Regex.Match(context, Regex.Escape(noun) + @"-\d+");
        return found.Success ? found.Value : "unknown";
    });

    [GeneratedRegex(@"What is the (\w+) code\?")]
    private static partial Regex Noun();


    [Fact]
    public async Task A_retrieval_recipe_answers_from_the_index_and_respects_each_items_caller()
    {
        _tmp.Write("corpus/lobby.md", "# Lobby\nThe door code is door-7731. Visitors sign in at the desk.");
        _tmp.Write("corpus/ops/vault.md", "# Vault\nThe vault code is vault-9920. Only operations staff may open it.");
        _tmp.Write("corpus/ops/vault.md.meta.json", """{"groups": ["ops"]}""");
        var add = LeverProcess.Run(_tmp.Root, "index", "add", "corpus", "--no-vectors");
        Assert.True(add.ExitCode == 0, add.Stderr);

        var model = ContextOnlyModel();
        await using var server = OpenAiServer.Create(model, null, new ServerOptions { Port = 0 });
        await server.StartAsync();
        _tmp.Write("lever.yaml", $"providers:\n  srv:\n    base_url: {server.BaseUrl}\n    model: ctx\n    max_retries: 0\n");
        _tmp.Write("recipes/rag.yaml", "provider: srv\nsystem_prompt: Answer with the code only.\nretrieval:\n  index: default\n  k: 3\nscoring:\n  scorers: [exact]\n");
        _tmp.Write("recipes/closed.yaml", "provider: srv\nsystem_prompt: Answer with the code only.\nscoring:\n  scorers: [exact]\n");
        _tmp.Write("set.jsonl",
            "{\"id\":\"door\",\"input\":\"What is the door code?\",\"expected\":\"door-7731\"}\n" +
            "{\"id\":\"vault-ops\",\"input\":\"What is the vault code?\",\"expected\":\"vault-9920\",\"metadata\":{\"user\":\"olga\",\"groups\":[\"ops\"]}}\n" +
            "{\"id\":\"vault-sales\",\"input\":\"What is the vault code?\",\"expected\":\"vault-9920\",\"metadata\":{\"user\":\"eve\",\"groups\":[\"sales\"]}}\n");

        Dictionary<string, string> Predictions(string recipe)
        {
            var r = LeverProcess.Run(_tmp.Root, "eval", "--recipe", recipe, "--set", "set.jsonl", "--json", "--no-diagnose", "--workspace", _tmp.Root);
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            var summary = JsonDocument.Parse(r.Stdout.Trim().Split('\n')[^1]).RootElement;
            var runDir = Path.Combine(_tmp.Root, ".lever", "runs", summary.GetProperty("run").GetString()!);
            return File.ReadAllLines(Path.Combine(runDir, "results.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
                .ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("prediction").GetString()!);
        }

        // Without retrieval the model knows neither code: the facts are only in the corpus.
        var closed = Predictions("closed");
        Assert.All(closed.Values, p => Assert.Equal("unknown", p));

        var rag = Predictions("rag");
        Assert.Equal("door-7731", rag["door"]);
        Assert.Equal("vault-9920", rag["vault-ops"]);   // a member of ops reads the vault page
        Assert.Equal("unknown", rag["vault-sales"]);    // eve (sales) never gets it in her context
    }
}
