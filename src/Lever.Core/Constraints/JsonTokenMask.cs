// Constrained decoding for one generation: which tokens may come next so the output stays a valid prefix of a document
// in the format, and (the budget rule) so the shortest completion still fits in the tokens left. With single-byte
// tokens for JSON's punctuation (byte-level BPE has all 256 bytes) the document then always closes within max_tokens
// when max_tokens is at least the shortest document; if no token keeps the budget, any valid token is allowed.
namespace Lever.Core.Constraints;

/// <summary>The automaton state of one generation and the tokens it allows next.</summary>
public sealed class JsonTokenMask
{
    private readonly TokenVocabulary _vocabulary;
    private readonly int[] _endTokens;
    private readonly int _maxTokens;
    private int _accepted;

    /// <summary>
    /// Starts a document in <paramref name="format"/>. <paramref name="endTokens"/> (EOS, end of turn) are allowed once
    /// the document can end; <paramref name="maxTokens"/> is the generation's token budget.
    /// </summary>
    public JsonTokenMask(JsonFormat format, TokenVocabulary vocabulary, IEnumerable<int> endTokens, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(endTokens);
        _vocabulary = vocabulary;
        _endTokens = [.. endTokens.Distinct()];
        _maxTokens = maxTokens;
        State = JsonPrefix.Start(format);
    }

    /// <summary>The output so far as an automaton state.</summary>
    public JsonPrefix State { get; private set; }

    /// <summary>The document is complete: generation should stop.</summary>
    public bool IsComplete => State.IsComplete;

    /// <summary>Token ids allowed next (never empty: when nothing else fits, the end tokens).</summary>
    public List<int> Allowed()
    {
        var allowed = new List<int>();
        var left = _maxTokens - _accepted - 1;   // tokens after this one
        _vocabulary.Collect(State, Math.Max(0, left), allowed);
        if (allowed.Count == 0) _vocabulary.Collect(State, -1, allowed);
        if (State.CanEnd || allowed.Count == 0) allowed.AddRange(_endTokens);
        return allowed;
    }

    /// <summary>Advances past the chosen token; an end token or a token the mask did not allow leaves the state as it was.</summary>
    public void Accept(int token)
    {
        _accepted++;
        if (State.Feed(_vocabulary.Bytes(token)) is { } next && !_endTokens.Contains(token)) State = next;
    }
}
