using System.Globalization;
using System.Net;

namespace Lever.Reports.Internal;

/// <summary>What the lab's pages share: escaping, invariant numbers, and the base stylesheet (page width aside).</summary>
internal static class Html
{
    /// <summary>HTML-escaped text.</summary>
    public static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>A number in <paramref name="format"/>, culture-invariant.</summary>
    public static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Body, headings and the recommendation box, for a page <paramref name="maxWidth"/> pixels wide.</summary>
    public static string BaseCss(int maxWidth) => $$"""
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;background:#f3f4f6;margin:0}
        main{max-width:{{maxWidth}}px;margin:0 auto;padding:24px 32px 48px;background:#fff}
        h1{font-size:26px;margin:4px 0 2px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}
        h3{font-size:15px;margin:12px 0 4px}.sub{color:#4b5563;margin:4px 0 10px}
        .rec{background:#ecfdf5;border:1px solid #a7f3d0;border-radius:8px;padding:4px 18px 10px;margin-top:18px}

        """;
}
