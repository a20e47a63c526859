// A model's vocabulary as the bytes each token decodes to, in a trie, so the tokens a JsonPrefix accepts are found by
// walking the trie once: a shared prefix of many tokens is fed to the automaton once, and a subtree whose prefix is
// already invalid is skipped whole. Inside a string, where nearly every token is allowed, the tokens that are plain
// text (complete UTF-8, no quote, backslash or control character) cannot change the state, so they are allowed as one
// list and only the others are walked (docs/ENGINE.md has the cost with and without this).
using System.Text.Unicode;

namespace Lever.Core.Constraints;

/// <summary>The decoded bytes of every token id, indexed for <see cref="JsonTokenMask"/>. Built once per model.</summary>
public sealed class TokenVocabulary
{
    private readonly byte[]?[] _bytes;
    private readonly Node _root = new();
    private readonly Node _special = new();
    private readonly List<int> _plain = [];

    /// <summary>
    /// Indexes <paramref name="tokenBytes"/> (by token id). A null or empty entry (a special or control token, or one
    /// decoding to nothing) is never allowed inside a constrained document.
    /// </summary>
    public TokenVocabulary(IReadOnlyList<byte[]?> tokenBytes)
    {
        ArgumentNullException.ThrowIfNull(tokenBytes);
        _bytes = [.. tokenBytes];
        var building = new Dictionary<(Node, byte), Node>();
        for (var id = 0; id < _bytes.Length; id++)
        {
            if (_bytes[id] is not { Length: > 0 } bytes) continue;
            Insert(_root, bytes, id, building);
            if (IsPlain(bytes)) _plain.Add(id);
            else Insert(_special, bytes, id, building);
        }
    }

    private static bool IsPlain(byte[] bytes) => Utf8.IsValid(bytes) && !bytes.Any(b => b < 0x20 || b == '"' || b == '\\');

    private static void Insert(Node root, byte[] bytes, int id, Dictionary<(Node, byte), Node> building)
    {
        var node = root;
        foreach (var b in bytes)
        {
            if (!building.TryGetValue((node, b), out var child))
            {
                child = new Node();
                building[(node, b)] = child;
                node.Add(b, child);
            }
            node = child;
        }
        node.Tokens.Add(id);
    }

    /// <summary>Token ids indexed (the vocabulary size).</summary>
    public int Count => _bytes.Length;

    /// <summary>The bytes token <paramref name="id"/> decodes to (empty for a special token).</summary>
    public ReadOnlySpan<byte> Bytes(int id) => id >= 0 && id < _bytes.Length ? _bytes[id] : default;

    /// <summary>
    /// Adds to <paramref name="into"/> every token that keeps <paramref name="state"/> a valid prefix and, when
    /// <paramref name="budget"/> is 0 or more, leaves a completion of at most that many bytes.
    /// </summary>
    public void Collect(JsonPrefix state, int budget, List<int> into)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(into);
        if (!state.InPlainString)
        {
            Walk(_root, state, budget, into);
            return;
        }
        if (budget < 0 || state.RemainingBytes <= budget) into.AddRange(_plain);
        Walk(_special, state, budget, into);
    }

    private static void Walk(Node node, JsonPrefix state, int budget, List<int> into)
    {
        for (var i = 0; i < node.Keys.Count; i++)
        {
            if (state.Feed(node.Keys[i]) is not { } next) continue;
            var child = node.Children[i];
            if (child.Tokens.Count > 0 && (budget < 0 || next.RemainingBytes <= budget)) into.AddRange(child.Tokens);
            Walk(child, next, budget, into);
        }
    }

    private sealed class Node
    {
        public List<byte> Keys { get; } = [];

        public List<Node> Children { get; } = [];

        public List<int> Tokens { get; } = [];

        public void Add(byte key, Node child)
        {
            Keys.Add(key);
            Children.Add(child);
        }
    }
}
