// Overhead of serving a model over HTTP: the same deterministic IChatClient called directly (the anchor) and
// through `lever serve`'s OpenAiServer + Lever's OpenAI-compatible provider on 127.0.0.1, non-streaming and
// streaming; then eval-runner throughput over the HTTP path at concurrency 1 and 4.
// Run: dotnet run -c Release --project bench/evals [-- calls]
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Lever.Core.Config;
using Lever.Evals.Data;
using Lever.Evals.Recipes;
using Lever.Evals.Running;
using Lever.Providers;
using Lever.Server;
using Microsoft.Extensions.AI;

int calls = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2000;
var model = new EchoModel();
await using var server = OpenAiServer.Create(model, null, new ServerOptions { Port = 0 });
await server.StartAsync();
using var http = ProviderRegistry.Of("bench", new ProviderOptions { BaseUrl = server.BaseUrl, Model = "echo", MaxConcurrency = 64 }).Chat("bench");
ChatMessage[] messages = [new(ChatRole.System, "Answer briefly."), new(ChatRole.User, "the quick brown fox jumps over the lazy dog")];

async Task<double> Measure(Func<Task> call)
{
    for (int i = 0; i < calls / 10; i++) await call(); // warm-up: JIT, connection pool
    var watch = Stopwatch.StartNew();
    for (int i = 0; i < calls; i++) await call();
    return watch.Elapsed.TotalMicroseconds / calls;
}

async Task Drain(IAsyncEnumerable<ChatResponseUpdate> stream)
{
    await foreach (var _ in stream)
    {
    }
}

var direct = await Measure(() => model.GetResponseAsync(messages));
var viaHttp = await Measure(() => http.GetResponseAsync(messages));
var directStream = await Measure(() => Drain(model.GetStreamingResponseAsync(messages)));
var httpStream = await Measure(() => Drain(http.GetStreamingResponseAsync(messages)));
Console.WriteLine($"calls: {calls} sequential, {Environment.ProcessorCount} cores");
Console.WriteLine($"non-streaming: direct {direct:0.0} µs/call, HTTP {viaHttp:0.0} µs/call (+{viaHttp - direct:0.0} µs, {viaHttp / direct:0}x)");
Console.WriteLine($"streaming (9 chunks): direct {directStream:0.0} µs/call, HTTP {httpStream:0.0} µs/call (+{httpStream - directStream:0.0} µs)");

var dir = Directory.CreateTempSubdirectory("lever-bench-").FullName;
var setPath = Path.Combine(dir, "set.jsonl");
await File.WriteAllLinesAsync(setPath, Enumerable.Range(0, 1000).Select(i => $"{{\"input\":\"question number {i} about foxes\",\"expected\":\"foxes about {i} number question\"}}"));
var set = EvalSet.Load(setPath);
foreach (var concurrency in new[] { 1, 4 })
{
    var recipe = new Recipe { Name = $"bench-{concurrency}", Scoring = new ScoringOptions { Scorers = ["exact"] } };
    var watch = Stopwatch.StartNew();
    var summary = await new EvalRunner(recipe, new RecipeServices { Chat = http }, new EvalRunOptions { Concurrency = concurrency, Diagnose = false })
        .RunAsync(set, Path.Combine(dir, $"run-{concurrency}"));
    Console.WriteLine($"eval over HTTP, concurrency {concurrency}: {summary.Completed} items in {watch.Elapsed.TotalSeconds:0.00} s = {summary.Completed / watch.Elapsed.TotalSeconds:0} items/s (results flushed per item)");
}
Directory.Delete(dir, true);

/// <summary>Reverses the question's words: no model cost, so the measurement is all transport and middleware.</summary>
internal sealed class EchoModel : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var words = messages.Last().Text.Split(' ');
        Array.Reverse(words);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Join(' ', words)))
        {
            Usage = new UsageDetails { InputTokenCount = words.Length, OutputTokenCount = words.Length },
        });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var words = messages.Last().Text.Split(' ');
        Array.Reverse(words);
        foreach (var w in words)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, w + " ");
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
