using System.Text.Json;
using Lever.Core.Constraints;
using Lever.Engine.Generation;
using Lever.Testing;
using Microsoft.Extensions.AI;

namespace Lever.Engine.Tests;

/// <summary>
/// Constrained decoding on the TorchSharp engine: an untrained tiny model (seeded random weights, so its free text is
/// noise) must still produce documents that parse, and match the schema, greedy and sampled, alone and batched.
/// </summary>
public sealed class ConstrainedDecodingTests(TinyCheckpoint checkpoint) : IClassFixture<TinyCheckpoint>
{
    private const string Schema = """
        {"type":"object","properties":{"name":{"type":"string"},"count":{"type":"integer"},
         "colour":{"enum":["red","green","blue"]},"tags":{"type":"array","items":{"type":"boolean"},"maxItems":3}},
         "required":["name","count","colour"],"additionalProperties":false}
        """;

    private static readonly JsonElement SchemaElement = JsonDocument.Parse(Schema).RootElement;

    private TextGenerator Generator => checkpoint.Generator;

    [Fact]
    public void The_tiny_vocabulary_has_every_single_byte_so_the_budget_rule_can_always_close()
    {
        var bytes = Generator.Tokenizer.TokenBytes();
        var singles = bytes.Where(b => b is { Length: 1 }).Select(b => b![0]).ToHashSet();
        Assert.True("{}[]\",:0123456789truefalsn".All(c => singles.Contains((byte)c)));
    }

    [Theory]
    [InlineData(0.0, 1)]
    [InlineData(1.0, 1)]
    [InlineData(1.0, 2)]
    [InlineData(1.3, 3)]
    public void Json_object_output_parses_as_an_object(double temperature, long seed)
    {
        var result = Generator.Generate(Generator.Tokenizer.Encode("the quick brown"), new GenerationOptions
        {
            MaxTokens = 48, Temperature = temperature, Seed = seed, ResponseFormat = JsonFormat.Object,
        });
        Assert.Equal("stop", result.FinishReason);
        using var doc = JsonDocument.Parse(result.Text);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
    }

    [Theory]
    [InlineData(0.0, 1)]
    [InlineData(1.0, 4)]
    [InlineData(1.0, 5)]
    public void Json_schema_output_matches_the_schema(double temperature, long seed)
    {
        var result = Generator.Generate(Generator.Tokenizer.Encode("name a colour:"), new GenerationOptions
        {
            MaxTokens = 80, Temperature = temperature, Seed = seed, ResponseFormat = JsonFormat.FromSchema(SchemaElement),
        });
        Assert.Equal("stop", result.FinishReason);
        using var doc = JsonDocument.Parse(result.Text);
        Assert.Empty(SchemaCheck.Violations(doc.RootElement, SchemaElement));
    }

    [Fact]
    public void Without_a_format_the_same_model_does_not_write_json()
    {
        var free = Generator.Generate(Generator.Tokenizer.Encode("name a colour:"), new GenerationOptions { MaxTokens = 48 });
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(free.Text));
    }

    [Fact]
    public async Task Batched_rows_and_generate_batch_respect_the_mask()
    {
        var format = JsonFormat.FromSchema(SchemaElement);
        var results = Generator.GenerateBatch(["alpha", "the lazy dog jumps"], new GenerationOptions { MaxTokens = 80, Temperature = 1.0, Seed = 9, ResponseFormat = format });
        foreach (var r in results)
        {
            using var doc = JsonDocument.Parse(r.Text);
            Assert.Empty(SchemaCheck.Violations(doc.RootElement, SchemaElement));
        }

        Generator.MaxBatchSize = 4;
        try
        {
            var rows = Enumerable.Range(0, 3).Select(i => Task.Run(() => Generator.Generate(Generator.Tokenizer.Encode($"fox {i}"),
                new GenerationOptions { MaxTokens = 60, Temperature = 1.0, Seed = i, ResponseFormat = JsonFormat.Object }))).ToArray();
            foreach (var row in await Task.WhenAll(rows))
            {
                Assert.Equal("stop", row.FinishReason);
                Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(row.Text).RootElement.ValueKind);
            }
        }
        finally
        {
            Generator.MaxBatchSize = 1;
        }
    }

    [Fact]
    public void A_budget_below_the_smallest_document_ends_with_length()
    {
        // The shortest matching document is {"name":"","count":0,"colour":"red"}: 36 bytes, more than 10 tokens here.
        var result = Generator.Generate(Generator.Tokenizer.Encode("hello"), new GenerationOptions { MaxTokens = 10, ResponseFormat = JsonFormat.FromSchema(SchemaElement) });
        Assert.Equal("length", result.FinishReason);
        Assert.NotNull(JsonPrefix.Start(JsonFormat.FromSchema(SchemaElement)).Feed(System.Text.Encoding.UTF8.GetBytes(result.Text)));
    }

    [Fact]
    public async Task The_chat_client_maps_response_format_streaming_included()
    {
        using var client = new LocalChatClient(Generator, "tiny");
        var options = new ChatOptions { MaxOutputTokens = 80, ResponseFormat = ChatResponseFormat.ForJsonSchema(SchemaElement, "thing") };
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "name a colour")], options);
        Assert.Empty(SchemaCheck.Violations(JsonDocument.Parse(response.Text).RootElement, SchemaElement));
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);

        var text = "";
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { MaxOutputTokens = 40, ResponseFormat = ChatResponseFormat.Json }))
            text += update.Text;
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(text).RootElement.ValueKind);
    }
}
