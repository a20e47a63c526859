using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Lever.Lab.Datasets.Email.Internal;

/// <summary>
/// HTML to readable text through a real HTML parser (AngleSharp), because spam HTML is rarely well formed:
/// entities decoded, scripts and styles dropped, block elements and &lt;br&gt; become line breaks.
/// </summary>
internal static class HtmlText
{
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase) { "script", "style", "noscript", "template", "head" };

    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "pre", "hr", "center", "form", "section", "article", "header", "footer", "title", "dd", "dt",
    };

    /// <summary>Returns the visible text of <paramref name="html"/>.</summary>
    public static string ToText(string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        var text = new StringBuilder(html.Length / 2);
        // The title is in <head>, which is otherwise skipped; it often carries the spam's pitch.
        if (document.Title is { Length: > 0 } title) text.Append(title).Append('\n');
        if (document.Body is { } body) Walk(body, text);
        return text.ToString();
    }

    private static void Walk(INode node, StringBuilder text)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText t:
                    text.Append(t.Data);
                    break;
                case IElement e when Skipped.Contains(e.LocalName):
                    break;
                case IElement { LocalName: "br" }:
                    text.Append('\n');
                    break;
                case IElement e:
                    var block = Blocks.Contains(e.LocalName);
                    if (block) text.Append('\n');
                    else if (e.LocalName is "td" or "th") text.Append(' ');
                    Walk(e, text);
                    if (block) text.Append('\n');
                    break;
            }
        }
    }
}
