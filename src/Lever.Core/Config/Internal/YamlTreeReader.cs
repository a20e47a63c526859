using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Lever.Core.Config.Internal;

/// <summary>
/// Builds a <see cref="YamlNode"/> tree from YamlDotNet's event parser, so every node keeps its position and
/// dotted path, a repeated key is refused with both lines, and an unclosed bracket is cited where it opens
/// (YamlDotNet's scanner gives up on one without a position).
/// </summary>
internal sealed class YamlTreeReader
{
    private const string FixSyntax = "fix the YAML syntax at that line";

    /// <summary>Deepest nesting of lists and mappings read (Lever's files nest 4 deep; the stack must never overflow).</summary>
    internal const int MaxDepth = 64;

    /// <summary>Most nodes one file may expand to, aliases counted at their full size (no "billion laughs").</summary>
    internal const long MaxNodes = 1_000_000;

    private long _nodes;

    private readonly YamlSource _source;
    private readonly Parser _parser;
    private readonly Dictionary<string, YamlNode> _anchors = new(StringComparer.Ordinal);
    private readonly Stack<(Mark Start, string Bracket)> _openFlows = new();
    private Mark _last = Mark.Empty;

    private YamlTreeReader(YamlSource source, string text)
    {
        _source = source;
        _parser = new Parser(new StringReader(text));
    }

    public static YamlNode Read(YamlSource source, string text) => new YamlTreeReader(source, text).ReadStream();

    private YamlNode ReadStream()
    {
        Next(); // StreamStart
        var first = Next();
        if (first is StreamEnd) return new YamlNode(_source, null, "", 1, 1, YamlKind.Null, null);
        var root = ReadNode(Next(), null, "");
        Next(); // DocumentEnd
        if (Next() is DocumentStart second)
            throw Invalid(second.Start, "a second document starts here", "keep one document: remove the second '---' and what follows it");
        return root;
    }

    private YamlNode ReadNode(ParsingEvent ev, YamlKey? key, string path, int depth = 0)
    {
        var (line, column) = Position(ev.Start);
        if (depth > MaxDepth) throw Invalid(ev.Start, $"lists and mappings nest more than {MaxDepth} deep", "flatten the structure");
        Count(ev.Start, 1);
        switch (ev)
        {
            case AnchorAlias alias:
                if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                    throw Invalid(alias.Start, $"the alias *{alias.Value.Value} names no anchor", "define the anchor (&name) before its first use");
                // An alias is a copy of its anchor's whole tree: count it at that size before copying.
                Count(alias.Start, Size(target, MaxNodes - _nodes + 1));
                return target.At(key, path);
            case Scalar s:
            {
                var node = IsNull(s)
                    ? new YamlNode(_source, key, path, line, column, YamlKind.Null, null)
                    : new YamlNode(_source, key, path, line, column, YamlKind.Scalar, s.Value);
                return Remember(s.Anchor, node);
            }
            case SequenceStart seq:
            {
                if (seq.Style == SequenceStyle.Flow) _openFlows.Push((seq.Start, "["));
                var items = new List<YamlNode>();
                for (var next = Next(); next is not SequenceEnd; next = Next())
                    items.Add(ReadNode(next, null, $"{path}[{items.Count}]", depth + 1));
                if (seq.Style == SequenceStyle.Flow) _openFlows.Pop();
                return Remember(seq.Anchor, new YamlNode(_source, key, path, line, column, YamlKind.List, null, items: items));
            }
            case MappingStart map:
            {
                if (map.Style == MappingStyle.Flow) _openFlows.Push((map.Start, "{"));
                var entries = new List<YamlNode>();
                for (var next = Next(); next is not MappingEnd; next = Next())
                {
                    if (next is not Scalar k)
                        throw Invalid(next.Start, "a key must be plain text, not a list or a mapping", "write the key as text followed by a colon");
                    var (kl, kc) = Position(k.Start);
                    var name = new YamlKey(k.Value, kl, kc);
                    var childPath = YamlMessages.Join(path, k.Value);
                    if (entries.FirstOrDefault(e => e.Key == k.Value) is { } earlier)
                    {
                        throw new LeverUserException(
                            $"{name.Location(_source)}: {YamlMessages.Subject(_source, childPath, $"duplicate key '{k.Value}' (first at line {earlier.KeyInfo!.Line})")}",
                            "keep one of the two: YAML takes each key once per mapping");
                    }
                    entries.Add(ReadNode(Next(), name, childPath, depth + 1));
                }
                if (map.Style == MappingStyle.Flow) _openFlows.Pop();
                return Remember(map.Anchor, new YamlNode(_source, key, path, line, column, YamlKind.Mapping, null, entries));
            }
            default:
                throw Invalid(ev.Start, $"unexpected {ev.GetType().Name}", FixSyntax);
        }
    }

    private ParsingEvent Next()
    {
        try
        {
            if (!_parser.MoveNext()) throw Invalid(_last, "the file ends in the middle of a value", FixSyntax);
        }
        catch (YamlException ex)
        {
            throw Invalid(ex.Start, ex.Message.TrimEnd('.'), FixSyntax);
        }
        catch (ArgumentException ex)
        {
            // YamlDotNet's parser throws this, without a position, on a malformed tag such as `!!s[` (found by AFL++).
            throw Invalid(_last, $"{ex.Message.Split(" (Parameter")[0].TrimEnd('.')} after this point", "remove the ! tag or quote the value");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up this way on an unclosed flow collection or quote, without a position.
            if (_openFlows.TryPeek(out var open))
                throw Invalid(open.Start, $"this '{open.Bracket}' is never closed", $"close it with '{(open.Bracket == "[" ? "]" : "}")}' (and check every quote on the way)");
            throw Invalid(_last, "unclosed bracket, brace or quote after this point", "check that every [, { and quote is closed");
        }
        var ev = _parser.Current!;
        _last = ev.Start;
        return ev;
    }

    private void Count(Mark at, long nodes)
    {
        _nodes += nodes;
        if (_nodes > MaxNodes)
            throw Invalid(at, $"the file expands to more than {MaxNodes:N0} values (aliases count at the size of what they repeat)", "use fewer or smaller aliases");
    }

    /// <summary>Nodes in <paramref name="node"/>'s tree, counted up to <paramref name="limit"/> (then it stops).</summary>
    private static long Size(YamlNode node, long limit)
    {
        long size = 1;
        foreach (var child in node.Entries.Concat(node.Items))
        {
            if (size > limit) break;
            size += Size(child, limit - size);
        }
        return size;
    }

    private YamlNode Remember(AnchorName anchor, YamlNode node)
    {
        if (!anchor.IsEmpty) _anchors[anchor.Value] = node;
        return node;
    }

    // `key:`, `key: ~` and `key: null` are absent values; a quoted "null" is the text null.
    private static bool IsNull(Scalar s) =>
        s.Style == ScalarStyle.Plain && s.Value is "" or "~" or "null" or "Null" or "NULL";

    private static (int Line, int Column) Position(Mark mark) => ((int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));

    private LeverUserException Invalid(Mark at, string message, string hint)
    {
        var (line, column) = Position(at);
        return new LeverUserException($"{_source.File}:{line}:{column}: invalid YAML: {message}", hint);
    }
}
