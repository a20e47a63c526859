using Lever.Engine.Tokenizers;

namespace Lever.Engine.Internal;

/// <summary>
/// Turns generated tokens into text as it becomes final: holds back an incomplete UTF-8 character and any tail
/// that could still become a stop sequence, and cuts the text where a stop sequence appears.
/// </summary>
internal sealed class TextStream(ModelTokenizer tokenizer, IReadOnlyList<string> stopSequences)
{
    private readonly List<int> _ids = [];
    private int _emitted;

    /// <summary>The final text so far.</summary>
    public string Text { get; private set; } = "";

    /// <summary>True once a stop sequence was seen.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Adds a token; returns the newly final text.</summary>
    public string Push(int id)
    {
        _ids.Add(id);
        var full = tokenizer.Decode(_ids);
        foreach (var stop in stopSequences)
        {
            if (stop.Length == 0) continue;
            var at = full.IndexOf(stop, Math.Max(0, _emitted - stop.Length), StringComparison.Ordinal);
            if (at >= 0)
            {
                Stopped = true;
                return Emit(full[..at], Math.Max(at, _emitted));
            }
        }
        var final = full.Length;
        if (final > 0 && full[^1] == '\uFFFD') final--;   // a multi-byte character still missing bytes
        var limit = final;
        foreach (var stop in stopSequences)
            for (var k = Math.Min(stop.Length - 1, final); k > 0; k--)
                if (string.CompareOrdinal(full, final - k, stop, 0, k) == 0) { limit = Math.Min(limit, final - k); break; }
        return Emit(full, Math.Max(limit, _emitted));
    }

    /// <summary>At the end without a stop: everything that was held back.</summary>
    public string Flush() => Stopped ? "" : Emit(tokenizer.Decode(_ids), tokenizer.Decode(_ids).Length);

    private string Emit(string full, int upTo)
    {
        upTo = Math.Min(upTo, full.Length);
        var delta = upTo > _emitted ? full[_emitted..upTo] : "";
        _emitted = Math.Max(_emitted, upTo);
        Text = full[..Math.Min(_emitted, full.Length)];
        return delta;
    }
}
