// What a recipe asks the model for: free text or JSON through constrained decoding (OpenAI's response_format, honoured
// by the local engine and llama.cpp, passed on by OpenAI-compatible providers). A recipe whose parser is json asks for
// JSON unless it says otherwise: json_schema with the parser's schema when that schema is inside the enforced subset,
// json_object when not.
using System.Text.Json;
using Lever.Core;
using Lever.Core.Constraints;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Recipes;

/// <summary>Resolves <see cref="GenerationOptions.ResponseFormat"/> (null = from the parser) to what goes in <c>ChatOptions</c>.</summary>
public static class RecipeResponseFormat
{
    /// <summary>The values <c>generation.response_format</c> takes.</summary>
    public static readonly string[] Names = ["text", "json_object", "json_schema"];

    /// <summary><c>text</c>, <c>json_object</c> or <c>json_schema</c> for <paramref name="recipe"/>.</summary>
    public static string Effective(Recipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        if (recipe.Generation.ResponseFormat is { } explicitFormat) return explicitFormat;
        if (recipe.Parser.Kind != "json") return "text";
        return recipe.Parser.Schema is { } schema && Compiles(schema) ? "json_schema" : "json_object";
    }

    /// <summary>The chat option for <paramref name="recipe"/>; null for free text.</summary>
    public static ChatResponseFormat? For(Recipe recipe) => Effective(recipe) switch
    {
        "json_object" => ChatResponseFormat.Json,
        "json_schema" => ChatResponseFormat.ForJsonSchema(JsonDocument.Parse(recipe.Parser.Schema!).RootElement.Clone(), recipe.Name.Length > 0 ? recipe.Name : "answer"),
        _ => null,
    };

    /// <summary>Null when <paramref name="recipe"/>'s explicit format can run, else the problem and the fix.</summary>
    public static (string Problem, string Fix)? Problem(Recipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        var format = recipe.Generation.ResponseFormat;
        if (format is null) return null;
        if (!Names.Contains(format)) return ($"'{format}' is not a response format", $"use {string.Join(", ", Names)}, or leave it out (json when the parser is json)");
        if (format != "json_schema") return null;
        if (recipe.Parser.Schema is not { } schema) return ("json_schema needs the parser's schema", "set parser: { kind: json, schema: '...' } or schema_file, or use json_object");
        try
        {
            JsonFormat.FromSchema(JsonDocument.Parse(schema).RootElement, recipe.Name, "parser.schema");
            return null;
        }
        catch (LeverUserException ex)
        {
            return (ex.Message, ex.Hint ?? "use json_object");
        }
    }

    private static bool Compiles(string schema)
    {
        try
        {
            JsonFormat.FromSchema(JsonDocument.Parse(schema).RootElement);
            return true;
        }
        catch (Exception ex) when (ex is LeverUserException or JsonException)
        {
            return false;
        }
    }
}
