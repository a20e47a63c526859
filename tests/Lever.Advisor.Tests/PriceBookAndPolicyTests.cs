using Lever.Core.Prices;
using System.Text.Json;
using Lever.Advisor;
using Lever.Core;
using Lever.Core.Levers;

namespace Lever.Advisor.Tests;

public sealed class PriceBookAndPolicyTests
{
    [Fact]
    public void Default_book_carries_every_hosted_price_of_the_shared_pricebook_with_source_and_date()
    {
        // The loader against a plain JSON read of the same shipped file: every hosted price, source and date survives.
        var shared = Path.Combine(AppContext.BaseDirectory, "pricebook.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(shared));
        var book = PriceBook.Default;
        Assert.Equal("2026-11", book.AsOf);
        foreach (var m in doc.RootElement.GetProperty("hosted_models").EnumerateArray())
        {
            var p = book.Model(m.GetProperty("id").GetString()!)!;
            Assert.Equal(m.GetProperty("input").GetDouble(), p.Input);
            Assert.Equal(m.GetProperty("output").GetDouble(), p.Output);
            Assert.Equal(m.GetProperty("source").GetString(), p.Source);
            Assert.Equal("2026-11", p.Date);
        }
        Assert.Equal(0.30, book.FineTuned("gpt-4o-mini")!.Input);
        Assert.Equal(3.00, book.Training("gpt-4o-mini")!.PerMillionTokens);
        Assert.Equal(0.02, book.Embedding("text-embedding-3-small")!.Input);
        Assert.Equal(3.0, book.Gpu.UsdPerHour);              // midpoint of the H100 $2–4 range
        Assert.Equal(0.04, book.Cpu.UsdPerHour, 9);
        Assert.Equal(0.10, book.CacheReadFraction);
        Assert.Equal(1.25, book.CacheWritePremium);
        Assert.Equal(3.75, book.Model("claude-sonnet-4.5")!.CacheWrite);
        Assert.Null(book.Model("gpt-4o")!.CacheWrite);
    }

    [Fact]
    public void Lever_yaml_overrides_single_fields_of_an_entry_and_compute_prices()
    {
        var book = PriceBook.Default.WithOverrides("lever.yaml", """
            prices:
              models:
                gpt-4o: {output: 8.0, source: "our contract", date: "2026-10"}
              training:
                gpt-4o-mini: {price: 2.0}
              compute:
                gpu_usd_per_hour: 1.8
                cpu_usd_per_hour: 0.02
                gpu_name: L40S
            """);
        var m = book.Model("gpt-4o")!;
        Assert.Equal(2.50, m.Input);                         // kept
        Assert.Equal(8.0, m.Output);                         // overridden
        Assert.Equal("our contract", m.Source);
        Assert.Equal(2.0, book.Training("gpt-4o-mini")!.PerMillionTokens);
        Assert.Equal(1.8, book.Gpu.UsdPerHour);
        Assert.Equal("L40S", book.Gpu.Name);
        Assert.Equal(0.02, book.Cpu.UsdPerHour);
        Assert.Equal(2.50, PriceBook.Default.Model("gpt-4o")!.Input);
        Assert.Equal(10.0, PriceBook.Default.Model("gpt-4o")!.Output); // the default is untouched
    }

    [Theory]
    [InlineData("prices:\n  models:\n    new-model: {input: 1.0}\n", "field 'prices.models.new-model.output': is required")]
    [InlineData("prices:\n  models:\n    gpt-4o: {inptu: 1.0}\n", "unknown field 'prices.models.gpt-4o.inptu'")]
    [InlineData("prices:\n  compute: {gpu_usd_per_hour: cheap}\n", "field 'prices.compute.gpu_usd_per_hour': expected a number")]
    public void Bad_price_overrides_name_the_field(string yaml, string message)
    {
        var ex = Assert.Throws<LeverUserException>(() => PriceBook.Default.WithOverrides("lever.yaml", yaml));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Policy_default_has_the_seed_thresholds()
    {
        var p = AdvisorPolicy.Default;
        Assert.Equal(500_000, p["volume.fine_tune_strong_requests_per_month"]);
        Assert.Equal(500, p["data_bands.classification.min"]);
        Assert.Equal(2_000, p["data_bands.classification.recommended"]);
        Assert.Equal(1_000, p["data_bands.extraction.min"]);
        Assert.Equal(50, p["data_bands.style_format.min"]);
        Assert.Equal(10_000, p["data_bands.major_behaviour_change.min"]);
        Assert.Equal(5, p["value.min_gain_points"]);
        Assert.Equal(10_000, p["value.min_investment_usd"]);
        Assert.Equal(["never", "yearly", "monthly"], p.List("knowledge.stable_changes"));
        Assert.Equal("text-embedding-3-small", p.Text("rag.embedding_model"));
    }

    [Fact]
    public void A_policy_override_moves_the_decision_without_code()
    {
        const string yaml = "task: {kind: qa, symptoms: [wrong_facts]}\nknowledge: {corpus_tokens: 50000, changes: never}\n";
        Assert.Equal(LeverKind.Rag, DecisionTableTests.Advise(yaml).Primary);
        var roomy = AdvisorPolicy.Default.WithYaml("my-policy.yaml", "knowledge:\n  inline_max_tokens: 100000\n");
        // 50k tokens now fit the prompt; at 20,000 requests/month the 50k-token shared prefix is worth caching.
        Assert.Equal(LeverKind.PromptCaching, DecisionTableTests.Advise(yaml, policy: roomy).Primary);
        Assert.Equal("my-policy.yaml", roomy.Origin);
        Assert.Equal(32_000, AdvisorPolicy.Default["knowledge.inline_max_tokens"]);
    }

    [Theory]
    [InlineData("volume:\n  fine_tune_pays: 5\n", "unknown policy field 'volume.fine_tune_pays'")]
    [InlineData("volume:\n  fine_tune_pays_requests_per_month: many\n", "policy field 'volume.fine_tune_pays_requests_per_month': expected a non-negative number")]
    [InlineData("knowledge:\n  stable_changes: [never, sometimes]\n", "'sometimes' is not one of")]
    public void Bad_policy_fields_are_refused(string yaml, string message)
    {
        var ex = Assert.Throws<LeverUserException>(() => AdvisorPolicy.Default.WithYaml("p.yaml", yaml));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nested_price_and_policy_errors_name_line_column_and_the_whole_path()
    {
        // A model id with dots in it is one key of the path, and the missing field is cited at its entry.
        var price = Assert.Throws<LeverUserException>(() => PriceBook.Default.WithOverrides("lever.yaml", "prices:\n  models:\n    acme-2.5: {input: 1.0}\n"));
        Assert.Equal("lever.yaml:3:15: field 'prices.models.acme-2.5.output': is required for 'acme-2.5', which is not in the default price book", price.Message);
        var negative = Assert.Throws<LeverUserException>(() => PriceBook.Default.WithOverrides("lever.yaml", "prices:\n  training:\n    gpt-4o-mini: {price: -2}\n"));
        Assert.Equal("lever.yaml:3:26: field 'prices.training.gpt-4o-mini.price': must be at least 0, got -2", negative.Message);

        var unknown = Assert.Throws<LeverUserException>(() => AdvisorPolicy.Default.WithYaml("p.yaml", "volume:\n  fine_tune_pays: 5\n"));
        Assert.Equal("p.yaml:2:3: unknown policy field 'volume.fine_tune_pays' — did you mean fine_tune_pays_requests_per_month?", unknown.Message);
        var stable = Assert.Throws<LeverUserException>(() => AdvisorPolicy.Default.WithYaml("p.yaml", "knowledge:\n  stable_changes: [never, sometimes]\n"));
        Assert.Equal("p.yaml:2:27: policy field 'knowledge.stable_changes[1]': 'sometimes' is not one of never | yearly | monthly | weekly | daily | hourly", stable.Message);
    }
}
