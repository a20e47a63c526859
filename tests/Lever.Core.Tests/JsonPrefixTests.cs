using System.Text;
using System.Text.Json;
using Lever.Core.Constraints;

namespace Lever.Core.Tests;

/// <summary>The incremental JSON/schema automaton: a table of valid and invalid prefixes, and random walks that must end in documents that parse and match.</summary>
public sealed class JsonPrefixTests
{
    private const string Person = """
        {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"tier":{"enum":["gold","silver"]},
         "tags":{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":2},"ok":{"type":["boolean","null"]}},
         "required":["name","age","tier"],"additionalProperties":false}
        """;

    private static JsonFormat Schema(string json) => JsonFormat.FromSchema(JsonDocument.Parse(json).RootElement);

    private static JsonPrefix? Feed(JsonFormat format, string text) => JsonPrefix.Start(format).Feed(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("", true, false)]
    [InlineData("{", true, false)]
    [InlineData("  {\"a\" : [1, -0.5e+3, true, null, \"x\\u00e9\\n\"]}", true, true)]
    [InlineData("{\"a\":{\"b\":[[]]}}", true, true)]
    [InlineData("{\"\\ud83d", false, false)]     // a lone surrogate escape
    [InlineData("{\"é\":\"ü\"}", true, true)]      // raw UTF-8
    [InlineData("[1]", false, false)]              // json_object: the top level is an object
    [InlineData("{\"a\":01", false, false)]        // leading zero
    [InlineData("{\"a\":1.}", false, false)]
    [InlineData("{\"a\":tru", true, false)]
    [InlineData("{\"a\":trux", false, false)]
    [InlineData("{\"a\":1,}", false, false)]       // trailing comma
    [InlineData("{\"a\" 1", false, false)]
    [InlineData("{\"a\":\"\u0001", false, false)]  // raw control character in a string
    [InlineData("{}x", false, false)]              // nothing after the document
    [InlineData("{}", true, true)]
    public void Json_object_prefixes(string text, bool valid, bool complete)
    {
        var state = Feed(JsonFormat.Object, text);
        Assert.Equal(valid, state is not null);
        if (state is not null) Assert.Equal(complete, state.IsComplete);
    }

    [Theory]
    [InlineData("{\"name\":\"Ann\",\"age\":3,\"tier\":\"gold\"}", true, true)]
    [InlineData("{\"age\":3,\"tier\":\"silver\",\"name\":\"\",\"ok\":null,\"tags\":[\"a\"]}", true, true)]
    [InlineData("{\"name\":\"Ann\",\"age\":3}", false, false)]       // '}' before the required tier
    [InlineData("{\"nam\"", false, false)]                             // not a property (additionalProperties: false)
    [InlineData("{\"nick", false, false)]
    [InlineData("{\"age\":3.5", false, false)]                         // integer
    [InlineData("{\"age\":\"3\"", false, false)]
    [InlineData("{\"tier\":\"bronze", false, false)]
    [InlineData("{\"tier\":\"gol", true, false)]
    [InlineData("{\"name\":\"a\",\"name\"", false, false)]            // a repeated key
    [InlineData("{\"tags\":[]", false, false)]                         // minItems 1
    [InlineData("{\"tags\":[\"a\",\"b\",", false, false)]             // maxItems 2
    [InlineData("{\"ok\":1", false, false)]
    [InlineData("{\"ok\":fals", true, false)]
    public void Schema_prefixes(string text, bool valid, bool complete)
    {
        var state = Feed(Schema(Person), text);
        Assert.Equal(valid, state is not null);
        if (state is not null) Assert.Equal(complete, state.IsComplete);
    }

    [Fact]
    public void Whitespace_is_capped_and_remaining_bytes_count_the_required_keys()
    {
        Assert.NotNull(Feed(JsonFormat.Object, "{" + new string(' ', JsonPrefix.MaxWhitespace)));
        Assert.Null(Feed(JsonFormat.Object, "{" + new string(' ', JsonPrefix.MaxWhitespace + 1)));
        Assert.Equal(2, JsonPrefix.Start(JsonFormat.Object).RemainingBytes);
        // {"name":"","age":0,"tier":"gold"} is the shortest person: 33 bytes.
        Assert.Equal(33, JsonPrefix.Start(Schema(Person)).RemainingBytes);
        Assert.Equal(0, Feed(Schema(Person), "{\"name\":\"\",\"age\":0,\"tier\":\"gold\"}")!.RemainingBytes);
    }

    [Theory]
    [InlineData("""{"type":"string","pattern":"^a"}""", "pattern")]
    [InlineData("""{"anyOf":[{"type":"string"}]}""", "anyOf")]
    [InlineData("""{"type":"object","properties":{"a":{"$ref":"#/x"}}}""", "schema.properties.a: the keyword '$ref'")]
    [InlineData("""{"type":"date"}""", "'date' is not a JSON Schema type")]
    [InlineData("""{"type":"object","required":["a"],"additionalProperties":false}""", "'a' is required but not in properties")]
    [InlineData("""{"additionalProperties":{"type":"string"}}""", "schema.additionalProperties")]
    public void Unsupported_schema_keywords_are_named(string schema, string expected)
    {
        var error = Assert.Throws<LeverUserException>(() => Schema(schema));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A vocabulary of single bytes plus some multi-byte pieces, and a seeded random choice among the allowed tokens:
    /// within the budget every walk must end in a complete document that parses and matches the schema.
    /// </summary>
    [Theory]
    [InlineData(null, 40)]
    [InlineData(Person, 80)]
    [InlineData("""{"type":"array","items":{"type":"object","properties":{"x":{"type":"number"}},"required":["x"]},"minItems":2}""", 60)]
    public void Random_walks_under_the_budget_end_in_matching_documents(string? schema, int maxTokens)
    {
        var pieces = Enumerable.Range(1, 255).Select(b => new[] { (byte)b })
            .Concat(new[] { "{\"", "\":", "\",\"", "true", "name", "age", "gold", "silver", "é", "\\u00", "12", "  " }.Select(Encoding.UTF8.GetBytes))
            .Prepend(null).ToList();   // id 0: the end token
        var vocabulary = new TokenVocabulary(pieces);
        var format = schema is null ? JsonFormat.Object : Schema(schema);
        for (var seed = 0; seed < 20; seed++)
        {
            var random = new Random(seed);
            var mask = new JsonTokenMask(format, vocabulary, [0], maxTokens);
            var text = new List<byte>();
            for (var step = 0; step < maxTokens && !mask.IsComplete; step++)
            {
                var allowed = mask.Allowed();
                var token = allowed[random.Next(allowed.Count)];
                mask.Accept(token);
                if (token == 0) break;
                text.AddRange(vocabulary.Bytes(token).ToArray());
            }
            var json = Encoding.UTF8.GetString([.. text]);
            Assert.True(mask.State.CanEnd, $"seed {seed}: incomplete: {json}");
            using var doc = JsonDocument.Parse(json);
            if (schema is not null) Assert.Empty(Lever.Testing.SchemaCheck.Violations(doc.RootElement, JsonDocument.Parse(schema).RootElement));
            else Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        }
    }

    [Theory]
    [InlineData("{\"ab")]
    [InlineData("{\"name\":\"x")]
    [InlineData("{\"na")]
    [InlineData("{\"tier\":\"go")]
    [InlineData("{\"name\":\"\\u00")]
    [InlineData("{\"age\":1")]
    public void The_trie_and_its_plain_text_fast_path_allow_exactly_the_tokens_a_naive_check_allows(string prefix)
    {
        var pieces = new[] { "a", "ab", "\"", "\",\"", "é", "\\n", "\\u0041\"", "me\":", "ld\"}", "12", "}", " x", "\u0001", "\"tier" }
            .Select(p => (byte[]?)Encoding.UTF8.GetBytes(p)).Append([0xC3]).Append(null).ToList();
        var vocabulary = new TokenVocabulary(pieces);
        foreach (var format in new[] { JsonFormat.Object, Schema(Person) })
        {
            if (JsonPrefix.Start(format).Feed(Encoding.UTF8.GetBytes(prefix)) is not { } state) continue;
            foreach (var budget in new[] { -1, 40, 3 })
            {
                var fast = new List<int>();
                vocabulary.Collect(state, budget, fast);
                var naive = Enumerable.Range(0, pieces.Count).Where(id => pieces[id] is { Length: > 0 } b && state.Feed(b) is { } next && (budget < 0 || next.RemainingBytes <= budget));
                Assert.Equal(naive.Order(), fast.Order());
            }
        }
    }
}
