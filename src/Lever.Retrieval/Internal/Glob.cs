using System.Text;
using System.Text.RegularExpressions;

namespace Lever.Retrieval.Internal;

/// <summary>Glob over '/'-separated relative paths: <c>**</c> any folders, <c>*</c> within one name, <c>?</c> one character.</summary>
internal sealed class Glob
{
    private readonly Regex _regex;

    public Glob(string pattern)
    {
        Pattern = pattern;
        var sb = new StringBuilder("^");
        var p = pattern.Replace('\\', '/').TrimStart('/');
        for (int i = 0; i < p.Length; i++)
        {
            char c = p[i];
            if (c == '*' && i + 1 < p.Length && p[i + 1] == '*')
            {
                i++;
                if (i + 1 < p.Length && p[i + 1] == '/') { i++; sb.Append("(?:.*/)?"); }
                else sb.Append(".*");
            }
            else if (c == '*') sb.Append("[^/]*");
            else if (c == '?') sb.Append("[^/]");
            else sb.Append(Regex.Escape(c.ToString()));
        }
        // "docs" or "docs/" also matches everything below it, as users expect of a folder.
        sb.Append(p.EndsWith('/') ? ".*$" : "(?:/.*)?$");
        _regex = new Regex(sb.ToString(), RegexOptions.CultureInvariant);
    }

    public string Pattern { get; }

    public bool IsMatch(string relativePath) => _regex.IsMatch(relativePath);
}
