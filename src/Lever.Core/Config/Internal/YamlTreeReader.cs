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

    private YamlNode ReadNode(ParsingEvent ev, YamlKey? key, string path)
    {
        var (line, column) = Position(ev.Start);
        switch (ev)
        {
            case AnchorAlias alias:
                return _anchors.TryGetValue(alias.Value.Value, out var target)
                    ? target.At(key, path)
                    : throw Invalid(alias.Start, $"the alias *{alias.Value.Value} names no anchor", "define the anchor (&name) before its first use");
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
                    items.Add(ReadNode(next, null, $"{path}[{items.Count}]"));
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
                    entries.Add(ReadNode(Next(), name, childPath));
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
