using System.Text.Json;
using Lever.Core.Config;
using Lever.Engine.Tokenizers;
using Lever.Evals.Data;
using Lever.Evals.Recipes;
using Lever.Evals.Running;
using Lever.Providers;
using Lever.Testing;
using Microsoft.Extensions.AI;

namespace Lever.Server.Tests;

/// <summary>
/// response_format through the server: malformed shapes and unsupported schema keywords are 400s naming the field, and
/// a tiny untrained local model answers with JSON that parses (json_object) and matches (json_schema), over raw HTTP,
/// streaming, and through Lever's own OpenAI-compatible client (Microsoft.Extensions.AI.OpenAI sending response_format).
/// </summary>
public sealed class ResponseFormatTests : IAsyncLifetime
{
    private const string Schema = """
        {"type":"object","properties":{"city":{"type":"string"},"population":{"type":"integer"},"capital":{"type":"boolean"},
         "kind":{"enum":["town","city"]}},"required":["city","population","kind"],"additionalProperties":false}
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lever-rf-" + Guid.NewGuid().ToString("N")[..8]);
    private OpenAiServer _server = null!;
    private IChatClient _engine = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        var tokenizer = Path.Combine(_dir, "tokenizer");
        BpeTrainer.Train(Enumerable.Range(0, 200).Select(i => $"the city {i} has a population of {i * 13}; is it a capital? true or false"), 320).Save(tokenizer);
        Lever.Engine.Checkpoints.ModelInitializer.Create("tiny", Path.Combine(_dir, "model"), tokenizer, seed: 5);
        var local = new ProviderOptions { Kind = "local", Model = "model", TimeoutSeconds = 120 };
        _engine = ProviderRegistry.Of("local", local, new ProviderConnection { BaseDirectory = _dir, Backends = Lever.Providers.Engine.EngineBackend.WithHttp }).Chat("local");
        _server = OpenAiServer.Create(_engine, null, new ServerOptions { Port = 0, ModelName = "tiny" });
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _engine.Dispose();
        Directory.Delete(_dir, true);
    }

    private static string Body(string responseFormat, bool stream = false) =>
        $$"""{"model":"tiny","max_tokens":64,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"describe a city"}],"response_format":{{responseFormat}}}""";

    [Theory]
    [InlineData("\"json\"", "response_format must be an object")]
    [InlineData("{}", "response_format.type is missing")]
    [InlineData("{\"type\":\"yaml\"}", "response_format.type 'yaml' is not supported")]
    [InlineData("{\"type\":\"json_schema\"}", "response_format.json_schema must be an object")]
    [InlineData("{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{}}}", "response_format.json_schema.name")]
    [InlineData("{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":[]}}", "response_format.json_schema.schema must be")]
    [InlineData("{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"strict\":1,\"schema\":{}}}", "strict must be true or false")]
    [InlineData("{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\",\"pattern\":\"^a\"}}}}}",
        "response_format.json_schema.schema.properties.id: the keyword 'pattern' is not supported")]
    public async Task Malformed_response_formats_are_400s_naming_the_field(string responseFormat, string expected)
    {
        var (status, body, _) = await ServerTestHttp.Chat(_server.BaseUrl, null, Body(responseFormat));
        Assert.Equal(400, status);
        Assert.Contains(expected, ServerTestHttp.Error(body, "message"), StringComparison.Ordinal);
        Assert.Equal("response_format", ServerTestHttp.Error(body, "param"));
    }

    [Fact]
    public async Task Json_object_and_json_schema_answers_are_valid_json_over_http_and_streaming()
    {
        var (status, body, _) = await ServerTestHttp.Chat(_server.BaseUrl, null, Body("{\"type\":\"json_object\"}"));
        Assert.Equal(200, status);
        var content = body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(content).RootElement.ValueKind);
        Assert.Equal("stop", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());

        var schema = JsonDocument.Parse(Schema).RootElement;
        var format = """{"type":"json_schema","json_schema":{"name":"city","strict":true,"schema":""" + Schema + "}}";
        (status, body, _) = await ServerTestHttp.Chat(_server.BaseUrl, null, Body(format));
        Assert.Equal(200, status);
        content = body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        Assert.Empty(SchemaCheck.Violations(JsonDocument.Parse(content).RootElement, schema));

        // Server-sent events: the deltas put together are the document.
        var events = await ServerTestHttp.Raw(_server.BaseUrl + "/chat/completions", null, Body(format, stream: true));
        var streamed = string.Concat(events.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement.GetProperty("choices"))
            .Where(c => c.GetArrayLength() > 0 && c[0].GetProperty("delta").TryGetProperty("content", out _))
            .Select(c => c[0].GetProperty("delta").GetProperty("content").GetString()));
        Assert.Empty(SchemaCheck.Violations(JsonDocument.Parse(streamed).RootElement, schema));
    }

    [Fact]
    public async Task Lever_s_openai_client_sends_response_format_and_gets_matching_json()
    {
        using var client = ProviderRegistry.Of("served", new ProviderOptions { BaseUrl = _server.BaseUrl, Model = "tiny", TimeoutSeconds = 120 }).Chat("served");
        var schema = JsonDocument.Parse(Schema).RootElement;
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "a city")],
            new ChatOptions { MaxOutputTokens = 64, Temperature = 1, Seed = 3, ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "city") });
        Assert.Empty(SchemaCheck.Violations(JsonDocument.Parse(response.Text).RootElement, schema));
    }

    [Fact]
    public async Task An_extraction_recipe_with_the_json_parser_gets_valid_json_from_the_local_model()
    {
        var setPath = Path.Combine(_dir, "cities.jsonl");
        await File.WriteAllLinesAsync(setPath, new[] { "Paris, 2.1 million, capital", "Lyon, 0.5 million", "Nice" }
            .Select((q, i) => JsonSerializer.Serialize(new { id = $"c{i}", input = q, expected = """{"city":"x"}""" })));
        var recipe = new Recipe
        {
            Name = "cities",
            SystemPrompt = "Extract the city as JSON.",
            Generation = new Lever.Evals.Recipes.GenerationOptions { Temperature = 0.8f, Seed = 1, MaxTokens = 64 },
            Parser = new ParserOptions { Kind = "json", Schema = Schema },
            Scoring = new ScoringOptions { Scorers = ["json"] },
        };
        Assert.Equal("json_schema", RecipeResponseFormat.Effective(recipe));
        await new EvalRunner(recipe, new RecipeServices { Chat = _engine }, new EvalRunOptions { Concurrency = 1, Diagnose = false })
            .RunAsync(EvalSet.Load(setPath), Path.Combine(_dir, "run"));
        var schema = JsonDocument.Parse(Schema).RootElement;
        var raws = File.ReadAllLines(Path.Combine(_dir, "run", EvalRunner.ResultsFile)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("raw").GetString()!).ToList();
        Assert.Equal(3, raws.Count);
        foreach (var raw in raws) Assert.Empty(SchemaCheck.Violations(JsonDocument.Parse(raw).RootElement, schema));
    }
}
