using System.Text.Json;
using Lever.Core;
using Lever.Server.Requests;
using Microsoft.Extensions.AI;

namespace Lever.Server.Tests;

/// <summary>The usage ledger and the opt-in request log: what a served model's answers leave on disk, redacted, and how they read back.</summary>
public sealed class RequestLogTests : IDisposable
{
    private readonly TempWorkspace _tmp = new("lever-reqlog-");

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void The_redactor_blanks_each_named_kind_and_leaves_the_rest()
    {
        var all = new Redactor(null);
        Assert.Equal(["key", "email", "card", "ipv4", "phone"], all.Kinds);
        Assert.Equal("mail [email] about card [card], call [phone] from [ipv4] with [key]",
            all.Apply("mail jane.doe@example.com about card 4111 1111 1111 1111, call +44 20 7946 0958 from 10.0.0.12 with sk-abcdefghijklmnop1234"));
        Assert.Equal("order 12345 shipped to [email]", new Redactor(["email"]).Apply("order 12345 shipped to a@b.io"));
        Assert.Equal("ticket [redacted] is open", new Redactor(["regex:TCK-\\d+"]).Apply("ticket TCK-991 is open"));
        Assert.Equal("a@b.io", new Redactor([]).Apply("a@b.io"));
        var bad = Assert.Throws<LeverUserException>(() => new Redactor(["emails"]));
        Assert.Equal("server.request_log.redact: unknown kind 'emails'", bad.Message);
    }

    [Fact]
    public async Task Answers_streamed_or_not_reach_the_ledger_with_identity_tokens_and_cost_and_the_log_with_redacted_texts()
    {
        var model = new WordStreamingModel();
        var log = new RequestLog(_tmp.Combine("server"), new Redactor(null), r => r.PromptTokens * 0.001 + r.CompletionTokens * 0.002);
        var served = RequestRecording.Wrap(ServedModel.Of("scripted", model), log);
        await using var server = OpenAiServer.Create([served], null, new ServerOptions { Port = 0 });
        await server.StartAsync();

        var (status, _, _) = await ServerTestHttp.Chat(server.BaseUrl, null, """{"model":"scripted","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"write to bob@example.org"}]}""");
        Assert.Equal(200, status);
        var stream = await ServerTestHttp.Raw(server.BaseUrl + "/chat/completions", null, """{"model":"scripted","stream":true,"messages":[{"role":"user","content":"hello"}]}""");
        Assert.EndsWith("data: [DONE]\n\n", stream, StringComparison.Ordinal);
        (status, _, _) = await ServerTestHttp.Chat(server.BaseUrl, null, """{"model":"nope","messages":[{"role":"user","content":"x"}]}""");
        Assert.Equal(404, status); // refused: not recorded

        var usage = RequestLogReader.Usage(_tmp.Combine("server"));
        Assert.Equal(2, usage.Count);
        Assert.All(usage, u => Assert.Equal(("anonymous", "scripted", 10L), (u.Identity, u.Model, u.PromptTokens)));
        // The model saw the text as sent ("reply to write to bob@example.org", 5 words); only the log is redacted. Streamed: "reply to hello".
        Assert.Equal([5L, 3L], usage.Select(u => u.CompletionTokens));
        Assert.Equal(10 * 0.001 + 5 * 0.002, usage[0].CostUsd!.Value, 12);
        Assert.Null(usage[0].Messages);
        Assert.DoesNotContain("bob@example.org", File.ReadAllText(_tmp.Combine("server/usage.jsonl")), StringComparison.Ordinal);

        var requests = RequestLogReader.Requests(_tmp.Combine("server"));
        Assert.Equal(2, requests.Count);
        Assert.Equal([new RecordedMessage("system", "be brief"), new RecordedMessage("user", "write to [email]")], requests[0].Messages);
        Assert.Equal("reply to write to [email]", requests[0].Answer);
        Assert.Equal("reply to hello", requests[1].Answer);
        var day = Assert.Single(Directory.GetFiles(_tmp.Combine("server/requests")));
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + ".jsonl", Path.GetFileName(day));
        Assert.DoesNotContain("bob@example.org", File.ReadAllText(day), StringComparison.Ordinal);
        Assert.Equal(["key", "email", "card", "ipv4", "phone"], JsonDocument.Parse(File.ReadLines(day).First()).RootElement.GetProperty("redacted").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Without_the_log_only_counts_are_kept_and_a_torn_last_line_is_skipped_but_a_broken_middle_one_is_named()
    {
        var dir = _tmp.Combine("server");
        var log = new RequestLog(dir, content: null);
        Assert.False(log.LogsContent);
        var record = new RequestRecord(DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), "team-a", "m",
            [new RecordedMessage("user", "secret text")], "answer text", 5, 2, 12.5, false);
        log.Record(record);
        log.Record(record with { Identity = "team-b" });
        Assert.False(Directory.Exists(Path.Combine(dir, "requests")));
        Assert.DoesNotContain("secret text", File.ReadAllText(Path.Combine(dir, "usage.jsonl")), StringComparison.Ordinal);
        Assert.Null(RequestLogReader.Usage(dir)[0].CostUsd);

        // A kill mid-write leaves half a line at the end: read past it.
        File.AppendAllText(Path.Combine(dir, "usage.jsonl"), "{\"time\":\"2026-12-01T10:");
        Assert.Equal(["team-a", "team-b"], RequestLogReader.Usage(dir).Select(u => u.Identity));

        // Anything else broken is not the server's doing: named with its line.
        var lines = File.ReadAllLines(Path.Combine(dir, "usage.jsonl"));
        File.WriteAllLines(Path.Combine(dir, "usage.jsonl"), [lines[0], "not json", lines[1]]);
        var e = Assert.Throws<LeverUserException>(() => RequestLogReader.Usage(dir));
        Assert.StartsWith($"{Path.Combine(dir, "usage.jsonl")}:2: not a request log line", e.Message, StringComparison.Ordinal);
        var none = Assert.Throws<LeverUserException>(() => RequestLogReader.Requests(dir));
        Assert.Contains("lever serve --log-requests", none.Hint, StringComparison.Ordinal);
    }

    /// <summary>Answers "reply to {last user text}", streamed a word per update and then a usage update (10 in, a token per word out).</summary>
    private sealed class WordStreamingModel : IChatClient
    {
        private static string Answer(IEnumerable<ChatMessage> m) => "reply to " + m.Last(x => x.Role == ChatRole.User).Text;

        private static UsageDetails Usage(string answer) => new() { InputTokenCount = 10, OutputTokenCount = answer.Split(' ').Length };

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var answer = Answer(messages);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)) { Usage = Usage(answer) });
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var answer = Answer(messages);
            var words = answer.Split(' ');
            for (var i = 0; i < words.Length; i++)
            {
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, i == 0 ? words[i] : " " + words[i]);
            }
            yield return new ChatResponseUpdate { Contents = [new UsageContent(Usage(answer))] };
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
