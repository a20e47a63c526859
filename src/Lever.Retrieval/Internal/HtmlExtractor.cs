using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Lever.Retrieval.Internal;

/// <summary>
/// HTML to text with structure: the &lt;title&gt;, h1-h6 as the heading path, definition terms (&lt;dt&gt;) as
/// one level below h6 (reference pages list settings and options that way), and navigation, tables of
/// contents, scripts and styles left out because they repeat on every page and drown BM25's statistics.
/// </summary>
internal static class HtmlExtractor
{
    private static readonly HtmlParser Parser = new();

    private static readonly HashSet<string> Skip = new(StringComparer.OrdinalIgnoreCase) { "script", "style", "noscript", "nav", "template", "svg", "head" };

    private static readonly HashSet<string> SkipClasses = new(StringComparer.OrdinalIgnoreCase) { "navheader", "navfooter", "toc", "breadcrumb", "breadcrumbs", "sidebar" };

    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "li", "dd", "tr", "table", "ul", "ol", "dl", "section", "article", "main", "blockquote", "br", "hr",
        "header", "footer", "figure", "figcaption", "caption", "aside", "form", "fieldset", "address", "thead", "tbody",
    };

    public static (string Title, string Text, List<Lever.Retrieval.Ingestion.DocumentSection> Sections) Extract(string html, string fallbackTitle)
    {
        var doc = Parser.ParseDocument(html);
        var builder = new SectionTextBuilder();
        string? firstH1 = null;
        if (doc.Body is { } body) Walk(body, builder, ref firstH1);
        var (text, sections) = builder.Build();
        var title = SectionTextBuilder.Collapse(doc.Title ?? "");
        if (title.Length == 0) title = firstH1 ?? fallbackTitle;
        return (title, text, sections);
    }

    /// <summary>
    /// A list that is mostly links (a back-of-book index, a site map, a long "see also"): navigation, not content.
    /// Link density is the usual boilerplate signal (as in Readability and Boilerpipe); short lists are kept.
    /// </summary>
    private static bool IsLinkList(IElement e)
    {
        var links = e.QuerySelectorAll("a[href]");
        if (links.Length < 10) return false;
        int linkText = links.Sum(a => a.TextContent.Length);
        int allText = e.TextContent.Count(c => !char.IsWhiteSpace(c));
        int linkChars = links.Sum(a => a.TextContent.Count(c => !char.IsWhiteSpace(c)));
        return allText > 0 && linkText > 0 && linkChars >= 0.5 * allText;
    }

    /// <summary>Text of a heading or term, with a line break (&lt;br&gt;) read as a space, so "-f&lt;br/&gt;--full" reads "-f --full".</summary>
    private static string InlineText(IElement e)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var node in e.GetDescendants())
        {
            if (node is IText t) sb.Append(t.Data);
            else if (node is IElement { LocalName: "br" }) sb.Append(' ');
        }
        return SectionTextBuilder.Collapse(sb.ToString());
    }

    private static void Walk(INode node, SectionTextBuilder b, ref string? firstH1)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText t:
                    b.AppendInline(t.Data);
                    break;
                case IElement e:
                    var name = e.LocalName;
                    if (Skip.Contains(name) || e.GetAttribute("role") == "navigation" || e.ClassList.Any(SkipClasses.Contains)) break;
                    if (name is "dl" or "ul" or "ol" or "table" && IsLinkList(e)) break;
                    if (name.Length == 2 && name[0] == 'h' && name[1] is >= '1' and <= '6')
                    {
                        var heading = InlineText(e);
                        if (name == "h1") firstH1 ??= heading;
                        b.Heading(name[1] - '0', heading);
                        break;
                    }
                    if (name == "dt")
                    {
                        b.Heading(7, InlineText(e));
                        break;
                    }
                    if (name == "pre")
                    {
                        b.AppendVerbatim(e.TextContent);
                        break;
                    }
                    bool block = Blocks.Contains(name);
                    if (block) b.NewLine();
                    else if (name is "td" or "th") b.AppendInline(" ");
                    Walk(e, b, ref firstH1);
                    if (block) b.NewLine();
                    else if (name is "td" or "th") b.AppendInline(" ");
                    break;
            }
        }
    }
}
