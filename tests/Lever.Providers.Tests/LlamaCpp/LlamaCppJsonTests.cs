using System.Text.Json;
using Lever.Core.Constraints;
using Lever.Engine.Generation;
using Lever.Providers.LlamaCpp;
using Lever.Testing;
using Microsoft.Extensions.AI;

namespace Lever.Providers.Tests.LlamaCpp;

/// <summary>
/// response_format on the llama.cpp backend: the managed JSON automaton masks llama.cpp's logits, so a GGUF exported
/// from an untrained tiny model answers with documents that parse and match, and greedy constrained decoding gives the
/// TorchSharp engine's tokens exactly (same weights, same vocabulary bytes, same mask).
/// </summary>
public sealed class LlamaCppJsonTests(TinyGgufFixture tiny) : IClassFixture<TinyGgufFixture>
{
    private const string Schema = """
        {"type":"object","properties":{"id":{"type":"integer"},"label":{"enum":["spam","ham"]},"score":{"type":"number"},
         "words":{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":2}},"required":["id","label","words"],"additionalProperties":false}
        """;

    private static readonly JsonElement SchemaElement = JsonDocument.Parse(Schema).RootElement;

    [Theory]
    [InlineData(0.0, 1)]
    [InlineData(1.0, 2)]
    [InlineData(1.0, 3)]
    public void Json_object_and_schema_outputs_parse_and_match(double temperature, long seed)
    {
        var prompt = tiny.Model.Tokenize("The quick brown fox");
        var any = tiny.Model.Generate(prompt, new LlamaCppSampling { MaxTokens = 48, Temperature = temperature, Seed = seed, ResponseFormat = JsonFormat.Object });
        Assert.Equal("stop", any.FinishReason);
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(any.Text).RootElement.ValueKind);

        var typed = tiny.Model.Generate(prompt, new LlamaCppSampling { MaxTokens = 80, Temperature = temperature, Seed = seed, ResponseFormat = JsonFormat.FromSchema(SchemaElement) });
        Assert.Equal("stop", typed.FinishReason);
        Assert.Empty(SchemaCheck.Violations(JsonDocument.Parse(typed.Text).RootElement, SchemaElement));
    }

    [Fact]
    public async Task Greedy_constrained_output_equals_the_engines_and_the_chat_client_maps_response_format()
    {
        using var engine = TextGenerator.Load(tiny.ModelDirectory);
        var ids = engine.Tokenizer.Encode("In 2024 the team trained 3 models");
        var format = JsonFormat.FromSchema(SchemaElement);
        var expected = await engine.GenerateAsync(ids, new GenerationOptions { MaxTokens = 64, ResponseFormat = format });
        var actual = tiny.Model.Generate(ids, new LlamaCppSampling { MaxTokens = 64, ResponseFormat = format });
        Assert.Equal(expected.TokenIds, actual.TokenIds);
        Assert.Equal(expected.Text, actual.Text);

        using var client = new LlamaCppChatClient(tiny.Model);
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "classify: win money now")],
            new ChatOptions { MaxOutputTokens = 80, ResponseFormat = ChatResponseFormat.ForJsonSchema(SchemaElement, "label") });
        Assert.Empty(SchemaCheck.Violations(JsonDocument.Parse(response.Text).RootElement, SchemaElement));
    }
}
