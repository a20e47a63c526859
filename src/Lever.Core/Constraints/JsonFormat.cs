using System.Text.Json;
using Lever.Core.Constraints.Internal;

namespace Lever.Core.Constraints;

/// <summary>
/// What a constrained generation must produce: any JSON object (OpenAI's <c>json_object</c>) or a JSON document matching
/// a schema of the supported subset (<c>json_schema</c>). Compiled once; <see cref="JsonPrefix.Start"/> begins a document.
/// </summary>
public sealed class JsonFormat
{
    private JsonFormat(SchemaNode root, string? schemaName)
    {
        Root = root;
        SchemaName = schemaName;
    }

    /// <summary>Any JSON object (keys and values unrestricted).</summary>
    public static JsonFormat Object { get; } = CreateObject();

    /// <summary>The schema's name (<c>json_schema.name</c>), or null for <see cref="Object"/>.</summary>
    public string? SchemaName { get; }

    internal SchemaNode Root { get; }

    /// <summary>
    /// Compiles <paramref name="schema"/>; a keyword outside the subset is a <see cref="LeverUserException"/> naming it,
    /// its location written after <paramref name="path"/> (e.g. <c>response_format.json_schema.schema.properties.x</c>).
    /// </summary>
    public static JsonFormat FromSchema(JsonElement schema, string? name = null, string path = "schema") =>
        new(SchemaCompiler.Compile(schema, path), name ?? "schema");

    /// <summary>
    /// The format of a JSON response format as Microsoft.Extensions.AI carries it (<c>ChatResponseFormatJson</c>'s
    /// schema and name): <see cref="Object"/> without a schema.
    /// </summary>
    public static JsonFormat For(JsonElement? schema, string? name) =>
        schema is { } s ? FromSchema(s, name, "response_format.json_schema.schema") : Object;

    private static JsonFormat CreateObject()
    {
        var node = new SchemaNode { Types = JsonTypes.Object, Items = SchemaNode.Any };
        node.Seal();
        return new JsonFormat(node, null);
    }
}
