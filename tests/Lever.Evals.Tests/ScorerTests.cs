using System.Text.Json;
using Lever.Core.Data;
using Lever.Evals.Data;
using Lever.Evals.Parsing;
using Lever.Evals.Recipes;
using Lever.Evals.Retrieval;
using Lever.Evals.Scoring;

namespace Lever.Evals.Tests;

public class ScorerTests
{
    internal static EvalItem Item(string json, int line = 1)
    {
        using var doc = JsonDocument.Parse(json);
        return EvalSet.Parse(new JsonlLine("t.jsonl", line, doc.RootElement.Clone(), null));
    }

    private static async Task<Score> Run(string scorer, string itemJson, string raw, ParserOptions? parser = null, IReadOnlyList<RetrievedPassage>? passages = null, ScoringOptions? options = null)
    {
        var parsed = new OutputParser(parser ?? new ParserOptions()).Parse(raw);
        return await ScorerFactory.Create(scorer, options ?? new ScoringOptions()).ScoreAsync(new ScoringInput(Item(itemJson), parsed, passages ?? []));
    }

    [Fact]
    public async Task Exact_and_normalized_match_differ_on_case_punctuation_and_articles()
    {
        const string item = """{"input":"q","expected":"The Eiffel Tower"}""";
        Assert.False((await Run("exact", item, "eiffel tower!")).Passed);
        Assert.True((await Run("exact", item, "  The Eiffel Tower ")).Passed);
        Assert.True((await Run("normalized", item, "eiffel tower!")).Passed);
        Assert.False((await Run("normalized", item, "eiffel towers")).Passed);
    }

    [Fact]
    public async Task Token_f1_matches_the_hand_computed_squad_value()
    {
        // pred tokens (articles dropped): cat sat on mat; gold: cat sat on red mat → P = 4/4, R = 4/5, F1 = 8/9.
        var s = await Run("token_f1", """{"input":"q","expected":"a cat sat on a red mat"}""", "The cat sat on the mat.");
        Assert.Equal(8.0 / 9.0, s.Value, 12);
        Assert.True(s.Passed);
        Assert.Equal(0.0, TokenF1.Compute("dog", "cat"));
        // repeated tokens count once per occurrence: pred "a a b" vs gold "a b b": common = 2 (one a, one b) → F1 = 2/3
        Assert.Equal(2.0 / 3.0, TokenF1.Compute("x x y", "x y y"), 12);
    }

    [Fact]
    public async Task Contains_reports_the_fraction_of_expected_phrases_found()
    {
        var s = await Run("contains", """{"input":"q","expected":["refund","30 days","manager"]}""", "You get a refund within 30 days.");
        Assert.Equal(2.0 / 3.0, s.Value, 12);
        Assert.False(s.Passed);
        Assert.Contains("manager", s.Detail);
        Assert.True((await Run("contains", """{"input":"q","expected":"30 days"}""", "Within 30 days, yes.")).Passed);
        Assert.False((await Run("contains", """{"input":"q","expected":"30 days"}""", "Within 130 days.")).Passed); // token boundaries
    }

    [Fact]
    public async Task Regex_matches_and_reports_invalid_patterns()
    {
        Assert.True((await Run("regex", """{"input":"q","expected":"^INV-\\d{4}$"}""", "INV-2024")).Passed);
        Assert.False((await Run("regex", """{"input":"q","expected":"^INV-\\d{4}$"}""", "INV-20245")).Passed);
        var bad = await Run("regex", """{"input":"q","expected":"(unclosed"}""", "x");
        Assert.False(bad.Passed);
        Assert.StartsWith("invalid pattern", bad.Detail);
    }

    [Fact]
    public async Task Numeric_tolerance_is_absolute_plus_relative()
    {
        Assert.True((await Run("numeric", """{"input":"q","expected":1200}""", "about 1,200.5 units", options: new ScoringOptions { NumericTolerance = 1 })).Passed);
        Assert.False((await Run("numeric", """{"input":"q","expected":1200}""", "1,202", options: new ScoringOptions { NumericTolerance = 1 })).Passed);
        Assert.True((await Run("numeric", """{"input":"q","expected":"1000"}""", "1015", options: new ScoringOptions { NumericTolerance = 0, NumericRelativeTolerance = 0.02 })).Passed);
        Assert.Equal("no number in the answer", (await Run("numeric", """{"input":"q","expected":3}""", "three")).Detail);
    }

    [Fact]
    public async Task Label_scorer_refuses_answers_outside_the_label_set()
    {
        var parser = new ParserOptions { Kind = "label", Labels = ["billing", "technical"] };
        Assert.True((await Run("label", """{"input":"q","expected":"billing"}""", " Billing.\n", parser)).Passed);
        var wrongForm = await Run("label", """{"input":"q","expected":"billing"}""", "It is billing", parser);
        Assert.False(wrongForm.Passed);
        Assert.StartsWith("not one of the labels", wrongForm.Detail);
    }

    [Fact]
    public async Task Json_scorer_checks_schema_and_field_accuracy()
    {
        var parser = new ParserOptions
        {
            Kind = "json",
            Schema = """{"type":"object","required":["name","amount"],"properties":{"name":{"type":"string"},"amount":{"type":"number","minimum":0}},"additionalProperties":false}""",
        };
        const string item = """{"input":"q","expected":{"name":"ACME Corp","amount":12.5}}""";
        var right = await Run("json", item, "```json\n{\"name\": \"acme corp\", \"amount\": 12.5}\n```", parser);
        Assert.True(right.Passed);
        Assert.Equal(1.0, right.Value);
        var half = await Run("json", item, """{"name":"ACME","amount":12.5}""", parser);
        Assert.Equal(0.5, half.Value);
        Assert.False(half.Passed);
        var schemaBad = await Run("json", item, """{"name":"ACME Corp","amount":12.5,"extra":1}""", parser);
        Assert.False(schemaBad.Passed); // every field right, but the schema forbids extra fields
        Assert.Equal(1.0, schemaBad.Value);
        Assert.Contains("$.extra", schemaBad.Detail);
        var notJson = await Run("json", item, "name: ACME", parser);
        Assert.Equal(0.0, notJson.Value);
    }

    [Fact]
    public async Task Citation_scorer_needs_a_cited_passage_that_holds_the_fact()
    {
        RetrievedPassage[] passages = [new("doc1#0", "Refunds take 30 days.", 1), new("doc2#0", "Shipping is free.", 1)];
        const string item = """{"input":"How long do refunds take?","expected":"30 days"}""";
        var right = await Run("citation", item, "Refunds take 30 days [1].", passages: passages);
        Assert.True(right.Passed);
        Assert.Equal(1.0, right.Value);
        var byId = await Run("citation", item, "30 days [doc2#0, doc1#0]", passages: passages);
        Assert.True(byId.Passed);
        Assert.Equal(0.5, byId.Value);
        Assert.False((await Run("citation", item, "30 days [2]", passages: passages)).Passed);
        Assert.False((await Run("citation", item, "30 days", passages: passages)).Passed);
    }

    [Fact]
    public void Json_schema_validator_reports_each_violation_with_its_path()
    {
        using var schema = JsonDocument.Parse("""{"type":"object","required":["a","b"],"properties":{"a":{"type":"integer"},"c":{"enum":["x","y"]},"d":{"type":"array","items":{"type":"string"},"maxItems":2}}}""");
        using var value = JsonDocument.Parse("""{"a":1.5,"c":"z","d":["p",3,"q"]}""");
        var errors = JsonSchemaValidator.Validate(value.RootElement, schema.RootElement);
        Assert.Equal(5, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("$.a: expected integer", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.b: required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.c:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.d: more than 2", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.d[1]: expected string", StringComparison.Ordinal));
        using var ok = JsonDocument.Parse("""{"a":2,"b":null,"c":"x","d":["p"]}""");
        Assert.Empty(JsonSchemaValidator.Validate(ok.RootElement, schema.RootElement));
    }
}
