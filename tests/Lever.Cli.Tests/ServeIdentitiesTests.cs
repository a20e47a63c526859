using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lever.Server;
using Microsoft.Extensions.AI;

namespace Lever.Cli.Tests;

/// <summary>
/// <c>lever serve --recipe rag</c> as a process, over real HTTP on 127.0.0.1: three identities from lever.yaml's
/// server.keys plus LEVER_SERVER_KEY, a permission-aware index, and the identity — never the request body — deciding
/// what the RAG recipe retrieves and cites. Then the CLI as a client (lever eval through the served recipe), SIGTERM,
/// and every output and file checked for the keys.
/// </summary>
public sealed partial class ServeIdentitiesTests : IDisposable
{
    private const string KeyA = "sk-e2e-team-a-5b9f0c1d";
    private const string KeyB = "sk-e2e-team-b-8d2e7a44";
    private const string KeyChat = "sk-e2e-chat-only-31c6";
    private const string KeyAdmin = "sk-e2e-admin-single-9e07";
    private static readonly string[] Keys = [KeyA, KeyB, KeyChat, KeyAdmin];

    private readonly TempWorkspace _tmp = new("lever-cli-serve-ids-");

    public void Dispose() => _tmp.Dispose();

    /// <summary>Knows nothing itself: answers "What is the X code?" with the X code from its context and the [n] of the passage holding it, else "unknown".</summary>
    private static ScriptedChatClient ContextOnlyModel() => new(list =>
    {
        var noun = Noun().Match(ScriptedChatClient.LastUser(list)).Groups[1].Value;
        var context = string.Join("\n", list.Where(m => m.Role == ChatRole.System).Select(m => m.Text));
        var line = context.Split('\n').FirstOrDefault(l => Regex.IsMatch(l, Regex.Escape(noun) + @"-\d+"));
        return line is null ? "unknown" : $"{Regex.Match(line, Regex.Escape(noun) + @"-\d+").Value} {line[..(line.IndexOf(']') + 1)]}";
    });

    [GeneratedRegex(@"What is the (\w+) code\?")]
    private static partial Regex Noun();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [Fact]
    public async Task The_served_rag_recipe_retrieves_as_the_keys_identity_and_no_key_is_ever_written()
    {
        _tmp.Write("corpus/handbook.md", "# Handbook\nThe lobby code is lobby-1111. Everyone may read this page.");
        _tmp.Write("corpus/team-a/alpha.md", "# Alpha\nThe alpha code is alpha-2222. Only team A may read it.");
        _tmp.Write("corpus/team-a/alpha.md.meta.json", """{"groups": ["A"]}""");
        _tmp.Write("corpus/team-b/beta.md", "# Beta\nThe beta code is beta-3333. Only team B may read it.");
        _tmp.Write("corpus/team-b/beta.md.meta.json", """{"groups": ["B"]}""");
        var add = LeverProcess.Run(_tmp.Root, "index", "add", "corpus", "--no-vectors");
        Assert.True(add.ExitCode == 0, add.Stderr);

        await using var upstream = OpenAiServer.Create(ContextOnlyModel(), null, new ServerOptions { Port = 0 });
        await upstream.StartAsync();
        _tmp.WriteLeverYaml($"""
            providers:
              srv:
                base_url: {upstream.BaseUrl}
                model: ctx
                max_retries: 0
            server:
              keys:
                - id: team-a
                  key_env: E2E_KEY_A
                  user: alice
                  groups: [A]
                  scopes: [chat, retrieval]
                - id: team-b
                  key_env: E2E_KEY_B
                  user: bob
                  groups: [B]
                  scopes: [chat, retrieval]
                - id: chat-only
                  key_env: E2E_KEY_CHAT
                  scopes: [chat]
              limits:
                max_tokens: 512
            """);
        _tmp.Write("recipes/rag.yaml", "provider: srv\nsystem_prompt: Answer with the code only and cite it.\nretrieval:\n  index: default\n  k: 3\nscoring:\n  scorers: [exact]\n");

        var start = LeverProcess.StartInfo(_tmp.Root, "serve", "--recipe", "rag", "--port", "0", "--workspace", _tmp.Root, "--log-requests");
        start.Environment["E2E_KEY_A"] = KeyA;
        start.Environment["E2E_KEY_B"] = KeyB;
        start.Environment["E2E_KEY_CHAT"] = KeyChat;
        start.Environment["LEVER_SERVER_KEY"] = KeyAdmin;
        using var serve = Process.Start(start)!;
        var stdout = new StringBuilder();
        var stderr = serve.StandardError.ReadToEndAsync();
        try
        {
            var banner = await serve.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(banner?.StartsWith("lever serve: http://127.0.0.1:", StringComparison.Ordinal), banner + await Task.WhenAny(stderr, Task.Delay(2000)));
            stdout.AppendLine(banner);
            Assert.Contains("recipes: rag (retrieves, cites); 3 identities from server.keys + bearer token from $LEVER_SERVER_KEY", banner, StringComparison.Ordinal);
            var pump = Task.Run(async () =>
            {
                while (await serve.StandardOutput.ReadLineAsync() is { } line) lock (stdout) stdout.AppendLine(line);
            });
            var baseUrl = banner!["lever serve: ".Length..].Split(' ')[0];
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };

            async Task<(int Status, JsonElement Body)> Ask(string key, string json, string path = "/chat/completions", HttpMethod? method = null)
            {
                using var request = new HttpRequestMessage(method ?? HttpMethod.Post, baseUrl + path);
                if (method != HttpMethod.Get) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                using var response = await http.SendAsync(request);
                return ((int)response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
            }
            static string Question(string noun) =>
                // Every field a client could use to claim another identity: the server reads none of them.
                $$"""{"model":"rag","user":"bob","groups":["B"],"metadata":{"user":"bob","groups":"B"},"messages":[{"role":"user","content":"What is the {{noun}} code?"}]}""";
            static (string Answer, List<JsonElement> Citations) Answer(JsonElement body)
            {
                var message = body.GetProperty("choices")[0].GetProperty("message");
                return (message.GetProperty("content").GetString()!, message.GetProperty("citations").EnumerateArray().ToList());
            }

            // Team A asks for B's code, claiming to be bob of group B in the body: nothing of B's is retrieved or cited.
            var (status, body) = await Ask(KeyA, Question("beta"));
            Assert.Equal(200, status);
            var (answer, citations) = Answer(body);
            Assert.Equal("unknown", answer);
            Assert.NotEmpty(citations);
            Assert.All(citations, c => Assert.Contains(c.GetProperty("document").GetString(), new[] { "handbook.md", "team-a/alpha.md" }));

            // The same question with B's key cites B's document: section, span, and the [n] the answer gives.
            (status, body) = await Ask(KeyB, Question("beta"));
            Assert.Equal(200, status);
            (answer, citations) = Answer(body);
            var beta = Assert.Single(citations, c => c.GetProperty("document").GetString() == "team-b/beta.md");
            Assert.Equal($"beta-3333 [{beta.GetProperty("index").GetInt32()}]", answer);
            Assert.Equal("Beta", beta.GetProperty("section").GetString());
            Assert.True(beta.GetProperty("cited").GetBoolean());
            var span = beta.GetProperty("span");
            Assert.True(span.GetProperty("end").GetInt32() > span.GetProperty("start").GetInt32());
            Assert.DoesNotContain(citations, c => c.GetProperty("document").GetString() == "team-a/alpha.md");

            // Streaming: the citations arrive in a delta, the same as in the whole answer.
            using (var streamed = new HttpRequestMessage(HttpMethod.Post, baseUrl + "/chat/completions") { Content = new StringContent(Question("beta").Replace("\"model\":\"rag\"", "\"model\":\"rag\",\"stream\":true", StringComparison.Ordinal), Encoding.UTF8, "application/json") })
            {
                streamed.Headers.Authorization = new AuthenticationHeaderValue("Bearer", KeyB);
                using var response = await http.SendAsync(streamed);
                var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal("data: [DONE]", events[^1]);
                var deltas = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).SelectMany(c => c.GetProperty("choices").EnumerateArray()).Select(c => c.GetProperty("delta")).ToList();
                Assert.Equal(answer, string.Concat(deltas.Select(d => d.TryGetProperty("content", out var t) ? t.GetString() : "")));
                Assert.Contains(deltas.Where(d => d.TryGetProperty("citations", out _)).SelectMany(d => d.GetProperty("citations").EnumerateArray()), c => c.GetProperty("document").GetString() == "team-b/beta.md");
            }

            // And A's own document is A's to cite.
            (status, body) = await Ask(KeyA, Question("alpha"));
            (answer, citations) = Answer(body);
            Assert.StartsWith("alpha-2222 [", answer, StringComparison.Ordinal);
            Assert.Contains(citations, c => c.GetProperty("document").GetString() == "team-a/alpha.md" && c.GetProperty("cited").GetBoolean());

            // Scopes: chat without retrieval cannot use the RAG recipe; only admins list identities.
            (status, body) = await Ask(KeyChat, Question("lobby"));
            Assert.Equal(403, status);
            Assert.Contains("lacks the 'retrieval' scope", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
            (status, body) = await Ask(KeyA, "", "/admin/identities", HttpMethod.Get);
            Assert.Equal(403, status);
            Assert.Contains("lacks the 'admin' scope", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
            (status, body) = await Ask(KeyAdmin, "", "/admin/identities", HttpMethod.Get);
            Assert.Equal(200, status);
            Assert.Equal(["team-a", "team-b", "chat-only", "server-key"], body.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToArray());

            // Only the recipe is served; any other model is 404; max_tokens over server.limits is 400.
            (status, body) = await Ask(KeyA, "", "/models", HttpMethod.Get);
            Assert.Equal(["rag"], body.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToArray());
            (status, body) = await Ask(KeyA, """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""");
            Assert.Equal((404, "model_not_found"), (status, body.GetProperty("error").GetProperty("code").GetString()));
            (status, body) = await Ask(KeyA, """{"model":"rag","max_tokens":513,"messages":[{"role":"user","content":"hi"}]}""");
            Assert.Equal(400, status);
            Assert.Contains("limit of 512 (server.limits.max_tokens)", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

            // The CLI as a client: lever eval through the served recipe with team A's key. The item claiming group B changes nothing.
            _tmp.Write("client/lever.yaml", $"providers:\n  served:\n    base_url: {baseUrl}\n    api_key_env: E2E_CLIENT_KEY\n    model: rag\n    max_retries: 0\n");
            _tmp.Write("client/recipes/via.yaml", "provider: served\nscoring:\n  scorers: [exact]\n");
            _tmp.Write("client/set.jsonl",
                "{\"id\":\"alpha\",\"input\":\"What is the alpha code?\",\"expected\":\"alpha-2222\"}\n" +
                "{\"id\":\"beta\",\"input\":\"What is the beta code?\",\"expected\":\"beta-3333\",\"metadata\":{\"user\":\"bob\",\"groups\":[\"B\"]}}\n");
            var evalStart = LeverProcess.StartInfo(_tmp.Combine("client"), "eval", "--recipe", "via", "--set", "set.jsonl", "--json", "--no-diagnose", "--workspace", _tmp.Combine("client"));
            evalStart.Environment["E2E_CLIENT_KEY"] = KeyA;
            using var eval = Process.Start(evalStart)!;
            var evalOut = eval.StandardOutput.ReadToEndAsync();
            var evalErr = eval.StandardError.ReadToEndAsync();
            Assert.True(eval.WaitForExit(TimeSpan.FromMinutes(2)));
            Assert.True(eval.ExitCode == 0, await evalOut + await evalErr);
            var run = JsonDocument.Parse((await evalOut).Trim().Split('\n')[^1]).RootElement.GetProperty("run").GetString()!;
            var predictions = File.ReadAllLines(_tmp.Combine($"client/.lever/runs/{run}/results.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
                .ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("prediction").GetString()!);
            Assert.StartsWith("alpha-2222 [", predictions["alpha"], StringComparison.Ordinal);
            Assert.Equal("unknown", predictions["beta"]);

            // SIGTERM: a graceful stop, exit 0.
            Assert.Equal(0, kill(serve.Id, 15));
            Assert.True(serve.WaitForExit(TimeSpan.FromSeconds(30)), "lever serve did not stop on SIGTERM");
            await pump.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(0, serve.ExitCode);
            var served = stdout.ToString();
            Assert.Contains("lever serve: stopped", served, StringComparison.Ordinal);
            Assert.Contains(" team-b POST /v1/chat/completions 200 ", served, StringComparison.Ordinal);   // the access log names identities
            Assert.Contains(" chat-only POST /v1/chat/completions 403 ", served, StringComparison.Ordinal);

            // The usage ledger counts every answered request by identity (refusals answered nothing); the request log keeps the texts.
            Assert.Contains("lever serve: logging requests (redacted: key, email, card, ipv4, phone) and usage to", served, StringComparison.Ordinal);
            var usage = LeverProcess.Run(_tmp.Root, "usage", "--json", "--workspace", _tmp.Root);
            Assert.True(usage.ExitCode == 0, usage.Stdout + usage.Stderr);
            var rows = JsonDocument.Parse(usage.Stdout).RootElement.GetProperty("rows").EnumerateArray()
                .ToDictionary(r => r.GetProperty("identity").GetString()!, r => (Model: r.GetProperty("model").GetString(), Requests: r.GetProperty("requests").GetInt32()));
            Assert.Equal(new Dictionary<string, (string?, int)> { ["team-a"] = ("rag", 4), ["team-b"] = ("rag", 2) }, rows);
            var fromLogs = LeverProcess.Run(_tmp.Root, "data", "from-logs", "--as", "eval", "--identity", "team-b", "-o", _tmp.Combine("from-logs.jsonl"), "--workspace", _tmp.Root);
            Assert.True(fromLogs.ExitCode == 0, fromLogs.Stdout + fromLogs.Stderr);
            // B asked the same question twice (once streamed) and got the same answer: one item.
            Assert.Contains("read 6 logged requests; kept 1 (4 filtered out, 0 without a user message or answer, 1 duplicates dropped)", fromLogs.Stdout, StringComparison.Ordinal);
            var item = JsonDocument.Parse(File.ReadAllText(_tmp.Combine("from-logs.jsonl"))).RootElement;
            Assert.Equal("What is the beta code?", item.GetProperty("input").GetString());
            Assert.StartsWith("beta-3333 [", item.GetProperty("expected").GetString(), StringComparison.Ordinal);

            // No key anywhere: not in what either process printed, not in any file of either workspace.
            var outputs = new[] { served, await stderr, await evalOut, await evalErr, add.Stdout, add.Stderr, usage.Stdout, fromLogs.Stdout };
            foreach (var key in Keys)
            {
                Assert.All(outputs, o => Assert.DoesNotContain(key, o, StringComparison.Ordinal));
                foreach (var file in Directory.EnumerateFiles(_tmp.Root, "*", SearchOption.AllDirectories))
                    Assert.False(File.ReadAllText(file).Contains(key, StringComparison.Ordinal), $"{file} holds a key");
            }
        }
        finally
        {
            if (!serve.HasExited) serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync();
        }
    }

    [Fact]
    public void A_key_env_that_is_not_set_is_one_line_with_file_line_and_the_fix()
    {
        _tmp.WriteLeverYaml("providers:\n  up:\n    base_url: http://127.0.0.1:9/v1\n    model: m\nserver:\n  keys:\n    - id: team-a\n      key_env: E2E_UNSET_VARIABLE\n");
        var r = LeverProcess.Run(_tmp.Root, "serve", "--provider", "up", "--port", "0", "--workspace", _tmp.Root);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("lever.yaml:8:", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("server.keys[0].key_env: $E2E_UNSET_VARIABLE is not set", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: export E2E_UNSET_VARIABLE=", r.Stderr, StringComparison.Ordinal);
    }
}
