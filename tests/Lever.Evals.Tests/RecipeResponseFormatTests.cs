using Lever.Core;
using Lever.Evals.Data;
using Lever.Evals.Recipes;
using Lever.Evals.Running;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Tests;

/// <summary>generation.response_format: json parsers ask for JSON by default, explicit values are checked at load, and the effective format is part of the identity.</summary>
public sealed class RecipeResponseFormatTests
{
    private const string Subset = """{"type":"object","properties":{"total":{"type":"number"}},"required":["total"]}""";

    private static Recipe Json(string? schema, string? format = null) => new()
    {
        Name = "invoice",
        Parser = new ParserOptions { Kind = "json", Schema = schema },
        Generation = new GenerationOptions { ResponseFormat = format },
    };

    [Theory]
    [InlineData("text", null, null, "text")]
    [InlineData("json", null, null, "json_object")]
    [InlineData("json", Subset, null, "json_schema")]
    [InlineData("json", """{"type":"string","pattern":"^a"}""", null, "json_object")]   // outside the subset: plain JSON mode
    [InlineData("json", Subset, "text", "text")]
    [InlineData("text", null, "json_object", "json_object")]
    public void The_effective_format_follows_the_parser_unless_set(string parser, string? schema, string? format, string expected)
    {
        var recipe = Json(schema, format);
        recipe.Parser.Kind = parser;
        Assert.Equal(expected, RecipeResponseFormat.Effective(recipe));
    }

    [Fact]
    public async Task The_runner_sends_the_schema_and_the_identity_changes_with_the_format()
    {
        var chat = new RecipeRunnerCapTests.OptionsRecorder();
        await new RecipeRunner(Json(Subset), new RecipeServices { Chat = chat }).AnswerAsync(new EvalItem { Id = "q", Hash = "", Input = "hi" });
        var sent = Assert.IsType<ChatResponseFormatJson>(chat.Seen!.ResponseFormat);
        Assert.Equal("invoice", sent.SchemaName);
        Assert.Equal("number", sent.Schema!.Value.GetProperty("properties").GetProperty("total").GetProperty("type").GetString());

        Assert.NotEqual(Json(Subset).Hash(), Json(Subset, "text").Hash());
        Assert.NotEqual(Json(Subset).Hash(), Json(Subset, "json_object").Hash());
        Assert.Equal(new Recipe { Name = "a" }.Hash(), new Recipe { Name = "a", Generation = new GenerationOptions { ResponseFormat = "text" } }.Hash());
    }

    [Theory]
    [InlineData("  response_format: yaml\n", "'yaml' is not a response format")]
    [InlineData("  response_format: json_schema\nparser:\n  kind: json\n", "json_schema needs the parser's schema")]
    [InlineData("  response_format: json_schema\nparser:\n  kind: json\n  schema: '{\"type\":\"string\",\"format\":\"email\"}'\n", "the keyword 'format' is not supported")]
    public void Bad_formats_are_refused_at_load_naming_the_field(string tail, string expected)
    {
        using var ws = new Lever.Testing.TempWorkspace();
        ws.Write("recipes/x.yaml", "name: x\ngeneration:\n  max_tokens: 8\n" + tail);
        var ex = Assert.Throws<LeverUserException>(() => RecipeLoader.Load(Workspace.Open(ws.Root), "x"));
        Assert.Contains("generation.response_format", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
