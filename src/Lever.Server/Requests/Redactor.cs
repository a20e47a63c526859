using System.Text.RegularExpressions;
using Lever.Core;

namespace Lever.Server.Requests;

/// <summary>
/// What the request log blanks out before a text reaches disk: named kinds of personal data or secrets
/// (<c>key</c>, <c>email</c>, <c>card</c>, <c>ipv4</c>, <c>phone</c>) and any <c>regex:PATTERN</c>, each match replaced by
/// <c>[kind]</c>. lever.yaml <c>server.request_log.redact</c> names them; the default is every built-in kind.
/// </summary>
public sealed class Redactor
{
    /// <summary>The built-in kinds, in the order they apply.</summary>
    public static IReadOnlyList<string> BuiltIn { get; } = ["key", "email", "card", "ipv4", "phone"];

    private static readonly Dictionary<string, Regex> Patterns = new(StringComparer.Ordinal)
    {
        // API keys and bearer tokens first, so a key that looks like digits is not half-redacted as a phone number.
        ["key"] = new(@"\b(?:sk|pk|rk|lvr)-[A-Za-z0-9_\-]{16,}\b|(?i:bearer)\s+[A-Za-z0-9._\-~+/]{16,}=*", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)),
        ["email"] = new(@"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)),
        ["card"] = new(@"\b(?:\d[ \-]?){13,19}\b", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)),
        ["phone"] = new(@"(?<!\w)\+?\d[\d \-().]{7,}\d(?!\w)", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)),
        ["ipv4"] = new(@"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)),
    };

    private readonly IReadOnlyList<(string Name, Regex Pattern)> _rules;

    /// <summary>Redacts the kinds in <paramref name="names"/> (built-in names or <c>regex:PATTERN</c>); null: every built-in kind; empty: nothing.</summary>
    public Redactor(IReadOnlyList<string>? names)
    {
        var rules = new List<(string, Regex)>();
        foreach (var raw in names ?? BuiltIn)
        {
            var name = raw.Trim();
            if (name.StartsWith("regex:", StringComparison.Ordinal))
            {
                try
                {
                    rules.Add(("redacted", new Regex(name["regex:".Length..], RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))));
                }
                catch (ArgumentException e)
                {
                    throw new LeverUserException($"server.request_log.redact: '{name}' is not a valid regular expression: {e.Message}", "fix the pattern (.NET syntax)");
                }
            }
            else if (Patterns.TryGetValue(name, out var pattern)) rules.Add((name, pattern));
            else throw new LeverUserException($"server.request_log.redact: unknown kind '{name}'", $"use {string.Join(", ", BuiltIn)} or regex:PATTERN");
        }
        _rules = rules;
    }

    /// <summary>The kinds this redactor applies, as configured.</summary>
    public IReadOnlyList<string> Kinds => _rules.Select(r => r.Name).ToList();

    /// <summary><paramref name="text"/> with every match of every rule replaced by <c>[kind]</c>.</summary>
    public string Apply(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var (name, pattern) in _rules)
        {
            try
            {
                text = pattern.Replace(text, $"[{name}]");
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological text: drop it whole rather than write it unredacted.
                return $"[{name}: text withheld, the pattern timed out]";
            }
        }
        return text;
    }
}
