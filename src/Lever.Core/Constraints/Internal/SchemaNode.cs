namespace Lever.Core.Constraints.Internal;

/// <summary>JSON types a schema position allows; <see cref="Number"/> includes integers.</summary>
[Flags]
internal enum JsonTypes
{
    None = 0,
    Null = 1,
    Boolean = 2,
    Integer = 4,
    Number = 8,
    String = 16,
    Array = 32,
    Object = 64,
    Any = Null | Boolean | Integer | Number | String | Array | Object,
}

/// <summary>One named property of an object schema: its name as written between the quotes (JSON-escaped UTF-8).</summary>
internal sealed record SchemaProperty(string Name, byte[] Key, SchemaNode Schema, bool Required);

/// <summary>
/// A compiled position of the supported JSON Schema subset. <see cref="Any"/> is every JSON value; <see cref="MinBytes"/>
/// is the length of the shortest value that matches, which the budget rule of <see cref="JsonPrefix"/> builds on.
/// </summary>
internal sealed class SchemaNode
{
    /// <summary>Any JSON value (objects with any keys, arrays of anything).</summary>
    public static readonly SchemaNode Any = CreateAny();

    public JsonTypes Types { get; init; } = JsonTypes.Any;

    /// <summary>The only values allowed (enum/const), each as compact UTF-8 JSON; null when unrestricted.</summary>
    public byte[][]? Enum { get; init; }

    public SchemaProperty[] Properties { get; init; } = [];

    /// <summary>Keys besides <see cref="Properties"/> are allowed (their values are <see cref="Any"/>).</summary>
    public bool AdditionalProperties { get; init; } = true;

    public SchemaNode Items { get; set; } = null!;

    public int MinItems { get; init; }

    public int MaxItems { get; init; } = int.MaxValue;

    /// <summary>Bytes of the shortest matching value.</summary>
    public int MinBytes { get; private set; }

    /// <summary>One bit per required property (bit i for <c>Properties[i]</c>).</summary>
    public ulong RequiredMask { get; private set; }

    /// <summary>One bit per property.</summary>
    public ulong AllMask { get; private set; }

    /// <summary>Bytes of <c>,"key":value</c> for each required property not in <paramref name="seen"/>, less one comma when <paramref name="commaFirst"/> is false.</summary>
    public int MissingBytes(ulong seen, bool commaFirst)
    {
        var total = 0;
        var count = 0;
        for (var i = 0; i < Properties.Length; i++)
        {
            if (!Properties[i].Required || (seen & (1UL << i)) != 0) continue;
            total += 1 + Properties[i].Key.Length + 3 + Properties[i].Schema.MinBytes;
            count++;
        }
        return count > 0 && !commaFirst ? total - 1 : total;
    }

    /// <summary>Computes <see cref="MinBytes"/> (children first: a compiled schema is a tree).</summary>
    public void Seal()
    {
        for (var i = 0; i < Properties.Length; i++)
        {
            AllMask |= 1UL << i;
            if (Properties[i].Required) RequiredMask |= 1UL << i;
        }
        if (Enum is not null)
        {
            MinBytes = Enum.Min(e => e.Length);
            return;
        }
        var best = int.MaxValue;
        if ((Types & (JsonTypes.Integer | JsonTypes.Number)) != 0) best = 1;
        if ((Types & JsonTypes.String) != 0) best = Math.Min(best, 2);
        if ((Types & (JsonTypes.Null | JsonTypes.Boolean)) != 0) best = Math.Min(best, 4);
        if ((Types & JsonTypes.Array) != 0)
            best = Math.Min(best, 2 + MinItems * Items.MinBytes + Math.Max(0, MinItems - 1));
        if ((Types & JsonTypes.Object) != 0) best = Math.Min(best, 2 + MissingBytes(0, commaFirst: false));
        MinBytes = best;
    }

    private static SchemaNode CreateAny()
    {
        var any = new SchemaNode { Types = JsonTypes.Any };
        any.Items = any;
        any.MinBytes = 1;
        return any;
    }
}
