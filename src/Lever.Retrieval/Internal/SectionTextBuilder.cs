using System.Text;
using Lever.Retrieval.Ingestion;

namespace Lever.Retrieval.Internal;

/// <summary>
/// Builds a document's plain text while tracking the heading stack, so each span of text knows its
/// heading path. A heading with no body of its own (a chapter title straight followed by a sub-heading)
/// is folded into the next section instead of becoming a chunk of one line.
/// </summary>
internal sealed class SectionTextBuilder
{
    private readonly StringBuilder _text = new();
    private readonly List<(int Level, string Title)> _stack = [];
    private readonly List<DocumentSection> _sections = [];
    private int _sectionStart;
    private int _bodyStart; // where the current section's heading line ends
    private bool _pendingSpace;

    public int Length => _text.Length;

    /// <summary>Appends inline text, collapsing runs of whitespace to one space.</summary>
    public void AppendInline(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (char.IsWhiteSpace(c))
            {
                _pendingSpace = true;
                continue;
            }
            if (_pendingSpace && _text.Length > 0 && _text[^1] != '\n' && _text[^1] != ' ') _text.Append(' ');
            _pendingSpace = false;
            _text.Append(c);
        }
    }

    /// <summary>Appends text verbatim (preformatted code), on its own lines.</summary>
    public void AppendVerbatim(string s)
    {
        NewLine();
        _text.Append(s.TrimEnd());
        NewLine();
    }

    /// <summary>Ends the current line (a block boundary); never produces blank-line runs.</summary>
    public void NewLine()
    {
        _pendingSpace = false;
        if (_text.Length > 0 && _text[^1] != '\n') _text.Append('\n');
    }

    /// <summary>Starts a section under a heading of <paramref name="level"/> (1 = top); the heading text becomes its first line.</summary>
    public void Heading(int level, string title)
    {
        title = Collapse(title);
        if (title.Length == 0) return;
        NewLine();
        bool emptyBody = _text.ToString(_bodyStart, _text.Length - _bodyStart).Trim().Length == 0;
        if (!emptyBody) CloseSection();
        while (_stack.Count > 0 && _stack[^1].Level >= level) _stack.RemoveAt(_stack.Count - 1);
        _stack.Add((level, title));
        _currentPath = string.Join(" > ", _stack.Select(h => h.Title));
        _text.Append(title);
        NewLine();
        _bodyStart = _text.Length;
    }

    private string _currentPath = "";

    private void CloseSection()
    {
        int end = _text.Length;
        while (end > _sectionStart && char.IsWhiteSpace(_text[end - 1])) end--;
        if (end > _sectionStart) _sections.Add(new DocumentSection(_currentPath, _sectionStart, end));
        _sectionStart = _text.Length;
    }

    /// <summary>The finished text and its sections.</summary>
    public (string Text, List<DocumentSection> Sections) Build()
    {
        CloseSection();
        return (_text.ToString(), _sections);
    }

    internal static string Collapse(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
