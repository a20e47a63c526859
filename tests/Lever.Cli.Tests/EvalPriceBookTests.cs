using System.Text.Json;
using Lever.Server;
using Microsoft.Extensions.AI;

namespace Lever.Cli.Tests;

/// <summary>A run's cost uses the price book when the provider states no prices.</summary>
public sealed class EvalPriceBookTests : IDisposable
{
    private readonly TempWorkspace _tmp = new("lever-eval-prices-");

    public void Dispose() => _tmp.Dispose();

    /// <summary>Always answers "yes" and reports 1,000 input and 500 output tokens.</summary>
    private static ScriptedChatClient FixedUsageModel() => new(_ => "yes")
    {
        Usage = (_, _) => new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500 },
    };


    [Fact]
    public async Task A_gpt_4o_mini_provider_without_prices_is_charged_the_price_book_prices()
    {
        await using var server = OpenAiServer.Create(FixedUsageModel(), null, new ServerOptions { Port = 0 });
        await server.StartAsync();
        File.WriteAllText(Path.Combine(_tmp.Root, "lever.yaml"), $"providers:\n  srv:\n    base_url: {server.BaseUrl}\n    model: gpt-4o-mini\n    max_retries: 0\n");
        Directory.CreateDirectory(Path.Combine(_tmp.Root, "recipes"));
        File.WriteAllText(Path.Combine(_tmp.Root, "recipes", "yes.yaml"), "provider: srv\nscoring:\n  scorers: [exact]\n");
        File.WriteAllText(Path.Combine(_tmp.Root, "set.jsonl"), "{\"input\":\"a\",\"expected\":\"yes\"}\n{\"input\":\"b\",\"expected\":\"yes\"}\n");
        var r = LeverProcess.Run(_tmp.Root, "eval", "--recipe", "yes", "--set", "set.jsonl", "--json", "--no-diagnose", "--workspace", _tmp.Root);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var summary = JsonDocument.Parse(r.Stdout.Trim().Split('\n')[^1]).RootElement;
        // pricebook.json: gpt-4o-mini $0.15 in, $0.60 out per million tokens; 2 items × (1,000 in + 500 out).
        Assert.Equal(2 * (1000 * 0.15 + 500 * 0.60) / 1e6, summary.GetProperty("cost_usd").GetDouble(), 12);
    }
}
