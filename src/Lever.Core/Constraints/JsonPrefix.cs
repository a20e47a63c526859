// An incremental JSON (RFC 8259) recogniser over UTF-8 bytes, with the schema subset of JsonFormat: a pushdown
// automaton whose states are immutable, so a state can be fed every vocabulary token (through TokenVocabulary's trie)
// without copying. A state exists only for a prefix that some complete document matching the format extends, and it
// knows how many bytes the shortest such completion takes (RemainingBytes), which lets a decoder close the document
// before its token budget runs out. Caps: nesting depth, consecutive whitespace, number length.
using Lever.Core.Constraints.Internal;

namespace Lever.Core.Constraints;

/// <summary>A valid prefix of a document in some <see cref="JsonFormat"/>; <see cref="Feed(byte)"/> returns null for a byte that would make it invalid.</summary>
public sealed class JsonPrefix
{
    /// <summary>Most consecutive whitespace bytes between tokens (so a model cannot loop on spaces).</summary>
    public const int MaxWhitespace = 20;

    /// <summary>Most bytes of one number.</summary>
    public const int MaxNumberBytes = 32;

    /// <summary>Deepest nesting of objects and arrays.</summary>
    public const int MaxDepth = SchemaCompiler.MaxDepth;

    private static readonly byte[] True = "true"u8.ToArray();
    private static readonly byte[] False = "false"u8.ToArray();
    private static readonly byte[] Null = "null"u8.ToArray();

    private readonly Frame? _top;
    private readonly int _ws;
    private readonly int _depth;

    private JsonPrefix(Frame? top, int ws, int depth)
    {
        _top = top;
        _ws = ws;
        _depth = depth;
    }

    /// <summary>The empty prefix of a document in <paramref name="format"/>.</summary>
    public static JsonPrefix Start(JsonFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        return new JsonPrefix(new ValueFrame(null, format.Root), 0, 0);
    }

    /// <summary>The document is complete and nothing may follow it.</summary>
    public bool IsComplete => _top is null;

    /// <summary>The document may end here (complete, or a top-level number or enum value that could also go on).</summary>
    public bool CanEnd => _top is null || (_top.Parent is null && _top is NumberFrame { CanEnd: true } or EnumFrame { CanEnd: true });

    /// <summary>
    /// Inside a string (a value, or a key no property name starts with) and not within an escape or a UTF-8 character:
    /// then any complete UTF-8 text without quote, backslash or control characters leaves the state as it is (the fast
    /// path of <see cref="TokenVocabulary.Collect"/>).
    /// </summary>
    internal bool InPlainString => _top switch
    {
        StringFrame s => s.Lex == default,
        ObjectFrame { Phase: ObjectPhase.InKey, Candidates.Length: 0, Schema.AdditionalProperties: true } o => o.Lex == default,
        _ => false,
    };

    /// <summary>Fewest bytes that complete the document from here (0 when it can end).</summary>
    public int RemainingBytes
    {
        get
        {
            if (_top is null) return 0;
            var total = Finish(_top);
            for (var f = _top.Parent; f is not null; f = f.Parent) total += AfterChild(f);
            return total;
        }
    }

    /// <summary>The prefix after <paramref name="bytes"/>, or null when they make it invalid.</summary>
    public JsonPrefix? Feed(ReadOnlySpan<byte> bytes)
    {
        var state = this;
        foreach (var b in bytes)
        {
            state = state.Feed(b);
            if (state is null) return null;
        }
        return state;
    }

    /// <summary>The prefix after <paramref name="b"/>, or null when it makes it invalid.</summary>
    public JsonPrefix? Feed(byte b)
    {
        var top = _top;
        var ws = _ws;
        while (true)
        {
            switch (top)
            {
                case null:
                    return null;
                case ValueFrame v:
                    return IsWhitespace(b) ? Space(v, ws, _depth) : StartValue(v.Parent, v.Schema, b, _depth);
                case StringFrame s:
                    return s.Lex.Feed(b, plainEscapes: false, out var lex) switch
                    {
                        < 0 => null,
                        0 => new JsonPrefix(s with { Lex = lex }, 0, _depth),
                        _ => new JsonPrefix(ChildDone(s.Parent), 0, _depth),
                    };
                case NumberFrame n:
                    if (NextNumber(n, b) is { } number) return new JsonPrefix(number, 0, _depth);
                    if (!n.CanEnd) return null;
                    top = ChildDone(n.Parent);   // the byte ends the number; the parent reads it
                    ws = 0;
                    if (top is null) return null;
                    continue;
                case EnumFrame e:
                    var rest = e.Candidates.Where(c => c.Length > e.Pos && c[e.Pos] == b).ToArray();
                    if (rest.Length > 0) return Fixed(e.Parent, rest, e.Pos + 1, _depth);
                    if (!e.CanEnd) return null;
                    top = ChildDone(e.Parent);
                    ws = 0;
                    if (top is null) return null;
                    continue;
                case ObjectFrame o:
                    return ObjectByte(o, b, ws);
                case ArrayFrame a:
                    return ArrayByte(a, b, ws);
                default:
                    return null;
            }
        }
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t';

    private static JsonPrefix? Space(Frame top, int ws, int depth) => ws < MaxWhitespace ? new JsonPrefix(top, ws + 1, depth) : null;

    /// <summary>The parent after its child value completed (null: the document is complete).</summary>
    private static Frame? ChildDone(Frame? parent) => parent switch
    {
        ObjectFrame o => o with { Phase = ObjectPhase.AfterValue, Seen = o.Seen | o.CurrentBit },
        ArrayFrame a => a with { Phase = ArrayPhase.AfterValue, Count = a.Count + 1 },
        _ => null,
    };

    private static JsonPrefix Fixed(Frame? parent, byte[][] candidates, int pos, int depth) =>
        candidates.All(c => c.Length == pos)
            ? new JsonPrefix(ChildDone(parent), 0, depth)
            : new JsonPrefix(new EnumFrame(parent, candidates, pos), 0, depth);

    /// <summary>The first byte of a value of <paramref name="schema"/>.</summary>
    private static JsonPrefix? StartValue(Frame? parent, SchemaNode schema, byte b, int depth)
    {
        if (schema.Enum is { } values)
        {
            var matching = values.Where(v => v[0] == b).ToArray();
            return matching.Length == 0 ? null : Fixed(parent, matching, 1, depth);
        }
        var types = schema.Types;
        bool Has(JsonTypes t) => (types & t) != 0;
        switch (b)
        {
            case (byte)'{' when Has(JsonTypes.Object) && depth < MaxDepth:
                return new JsonPrefix(new ObjectFrame(parent, schema, ObjectPhase.AfterOpen, 0, -1, [], 0, default), 0, depth + 1);
            case (byte)'[' when Has(JsonTypes.Array) && depth < MaxDepth:
                return new JsonPrefix(new ArrayFrame(parent, schema, ArrayPhase.AfterOpen, 0), 0, depth + 1);
            case (byte)'"' when Has(JsonTypes.String):
                return new JsonPrefix(new StringFrame(parent, default), 0, depth);
            case (byte)'-' or (>= (byte)'0' and <= (byte)'9') when Has(JsonTypes.Integer | JsonTypes.Number):
                var phase = b == '-' ? NumberPhase.Minus : b == '0' ? NumberPhase.Zero : NumberPhase.Int;
                return new JsonPrefix(new NumberFrame(parent, phase, !Has(JsonTypes.Number), 1), 0, depth);
            case (byte)'t' when Has(JsonTypes.Boolean):
                return Fixed(parent, [True], 1, depth);
            case (byte)'f' when Has(JsonTypes.Boolean):
                return Fixed(parent, [False], 1, depth);
            case (byte)'n' when Has(JsonTypes.Null):
                return Fixed(parent, [Null], 1, depth);
            default:
                return null;
        }
    }

    private static NumberFrame? NextNumber(NumberFrame n, byte b)
    {
        if (n.Length >= MaxNumberBytes) return null;
        var digit = b is >= (byte)'0' and <= (byte)'9';
        var exp = b is (byte)'e' or (byte)'E' && !n.IntegerOnly;
        var dot = b == '.' && !n.IntegerOnly;
        NumberPhase? next = n.Phase switch
        {
            NumberPhase.Minus => b == '0' ? NumberPhase.Zero : digit ? NumberPhase.Int : null,
            NumberPhase.Zero => dot ? NumberPhase.Dot : exp ? NumberPhase.Exp : null,
            NumberPhase.Int => digit ? NumberPhase.Int : dot ? NumberPhase.Dot : exp ? NumberPhase.Exp : null,
            NumberPhase.Dot => digit ? NumberPhase.Frac : null,
            NumberPhase.Frac => digit ? NumberPhase.Frac : exp ? NumberPhase.Exp : null,
            NumberPhase.Exp => b is (byte)'+' or (byte)'-' ? NumberPhase.ExpSign : digit ? NumberPhase.ExpDigits : null,
            NumberPhase.ExpSign or NumberPhase.ExpDigits => digit ? NumberPhase.ExpDigits : null,
            _ => null,
        };
        return next is { } phase ? n with { Phase = phase, Length = n.Length + 1 } : null;
    }

    private JsonPrefix? ObjectByte(ObjectFrame o, byte b, int ws)
    {
        var schema = o.Schema;
        var space = IsWhitespace(b);
        switch (o.Phase)
        {
            case ObjectPhase.InKey:
                return KeyByte(o, b);
            case ObjectPhase.AfterOpen or ObjectPhase.AfterComma:
                if (space) return Space(o, ws, _depth);
                if (b == '"') return StartKey(o);
                if (b == '}' && o.Phase == ObjectPhase.AfterOpen && (schema.RequiredMask & ~o.Seen) == 0) return Close(o);
                return null;
            case ObjectPhase.AfterKey:
                if (space) return Space(o, ws, _depth);
                return b == ':' ? new JsonPrefix(new ValueFrame(o with { Phase = ObjectPhase.InValue }, o.CurrentSchema), 0, _depth) : null;
            case ObjectPhase.AfterValue:
                if (space) return Space(o, ws, _depth);
                if (b == ',' && (schema.AdditionalProperties || (schema.AllMask & ~o.Seen) != 0))
                    return new JsonPrefix(o with { Phase = ObjectPhase.AfterComma }, 0, _depth);
                if (b == '}' && (schema.RequiredMask & ~o.Seen) == 0) return Close(o);
                return null;
            default:
                return null;
        }
    }

    private JsonPrefix? StartKey(ObjectFrame o)
    {
        var schema = o.Schema;
        // Additional keys allowed: every property stays a candidate (to find its schema, and to refuse a repeated key).
        var candidates = Enumerable.Range(0, schema.Properties.Length)
            .Where(i => schema.AdditionalProperties || (o.Seen & (1UL << i)) == 0).ToArray();
        if (candidates.Length == 0 && !schema.AdditionalProperties) return null;
        return new JsonPrefix(o with { Phase = ObjectPhase.InKey, Current = -1, Candidates = candidates, KeyPos = 0, Lex = default }, 0, _depth);
    }

    private JsonPrefix? KeyByte(ObjectFrame o, byte b)
    {
        var schema = o.Schema;
        var result = o.Lex.Feed(b, plainEscapes: schema.Properties.Length > 0, out var lex);
        if (result < 0) return null;
        if (result > 0)
        {
            var exact = o.Candidates.FirstOrDefault(i => schema.Properties[i].Key.Length == o.KeyPos, -1);
            if (exact >= 0 && (o.Seen & (1UL << exact)) != 0) return null;   // a repeated key
            if (exact < 0 && !schema.AdditionalProperties) return null;
            return new JsonPrefix(o with { Phase = ObjectPhase.AfterKey, Current = exact }, 0, _depth);
        }
        var pos = o.KeyPos;
        var next = Array.FindAll(o.Candidates, i => schema.Properties[i].Key.Length > pos && schema.Properties[i].Key[pos] == b);
        if (next.Length == 0 && !schema.AdditionalProperties) return null;
        return new JsonPrefix(o with { Candidates = next, KeyPos = pos + 1, Lex = lex }, 0, _depth);
    }

    private JsonPrefix Close(Frame container) => new(ChildDone(container.Parent), 0, _depth - 1);

    private JsonPrefix? ArrayByte(ArrayFrame a, byte b, int ws)
    {
        var schema = a.Schema;
        var space = IsWhitespace(b);
        switch (a.Phase)
        {
            case ArrayPhase.AfterOpen:
                if (space) return Space(a, ws, _depth);
                if (b == ']') return schema.MinItems == 0 ? Close(a) : null;
                return schema.MaxItems > 0 ? StartValue(a with { Phase = ArrayPhase.InValue }, schema.Items, b, _depth) : null;
            case ArrayPhase.AfterComma:
                if (space) return Space(a, ws, _depth);
                return StartValue(a with { Phase = ArrayPhase.InValue }, schema.Items, b, _depth);
            case ArrayPhase.AfterValue:
                if (space) return Space(a, ws, _depth);
                if (b == ',' && a.Count < schema.MaxItems) return new JsonPrefix(a with { Phase = ArrayPhase.AfterComma }, 0, _depth);
                if (b == ']' && a.Count >= schema.MinItems) return Close(a);
                return null;
            default:
                return null;
        }
    }

    /// <summary>Fewest bytes that finish the frame on top of the stack.</summary>
    private static int Finish(Frame top) => top switch
    {
        ValueFrame v => v.Schema.MinBytes,
        StringFrame s => s.Lex.MinClose,
        NumberFrame n => n.CanEnd ? 0 : 1,
        EnumFrame e => e.MinFinish,
        ObjectFrame o => FinishObject(o),
        ArrayFrame a => FinishArray(a),
        _ => 0,
    };

    private static int FinishObject(ObjectFrame o)
    {
        var s = o.Schema;
        switch (o.Phase)
        {
            case ObjectPhase.AfterOpen:
                return s.MissingBytes(o.Seen, commaFirst: false) + 1;
            case ObjectPhase.AfterValue:
                return s.MissingBytes(o.Seen, commaFirst: true) + 1;
            case ObjectPhase.AfterKey:
                return 1 + o.CurrentSchema.MinBytes + s.MissingBytes(o.Seen | o.CurrentBit, commaFirst: true) + 1;
            case ObjectPhase.AfterComma:
                if ((s.RequiredMask & ~o.Seen) != 0) return s.MissingBytes(o.Seen, commaFirst: false) + 1;
                var best = s.AdditionalProperties ? 5 : int.MaxValue;   // "":0}
                for (var i = 0; i < s.Properties.Length; i++)
                    if ((o.Seen & (1UL << i)) == 0) best = Math.Min(best, s.Properties[i].Key.Length + 3 + s.Properties[i].Schema.MinBytes + 1);
                return best;
            case ObjectPhase.InKey:
                var bestKey = int.MaxValue;
                var exact = false;
                foreach (var i in o.Candidates)
                {
                    var p = s.Properties[i];
                    exact |= p.Key.Length == o.KeyPos;
                    if ((o.Seen & (1UL << i)) != 0) continue;
                    bestKey = Math.Min(bestKey, p.Key.Length - o.KeyPos + 2 + p.Schema.MinBytes + s.MissingBytes(o.Seen | (1UL << i), commaFirst: true) + 1);
                }
                if (s.AdditionalProperties)
                    bestKey = Math.Min(bestKey, o.Lex.MinClose + (exact ? 1 : 0) + 2 + s.MissingBytes(o.Seen, commaFirst: true) + 1);
                return bestKey;
            default:
                return 0;
        }
    }

    private static int FinishArray(ArrayFrame a)
    {
        var s = a.Schema;
        var item = s.Items.MinBytes;
        return a.Phase switch
        {
            ArrayPhase.AfterOpen => s.MinItems == 0 ? 1 : s.MinItems * item + s.MinItems - 1 + 1,
            ArrayPhase.AfterValue => Math.Max(0, s.MinItems - a.Count) * (1 + item) + 1,
            ArrayPhase.AfterComma => item + (Math.Max(1, s.MinItems - a.Count) - 1) * (1 + item) + 1,
            _ => 0,
        };
    }

    /// <summary>Bytes a container below the top needs once its child value is complete.</summary>
    private static int AfterChild(Frame frame) => frame switch
    {
        ObjectFrame o => o.Schema.MissingBytes(o.Seen | o.CurrentBit, commaFirst: true) + 1,
        ArrayFrame a => Math.Max(0, a.Schema.MinItems - (a.Count + 1)) * (1 + a.Schema.Items.MinBytes) + 1,
        _ => 0,
    };
}
