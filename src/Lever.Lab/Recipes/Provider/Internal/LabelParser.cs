namespace Lever.Lab.Recipes.Provider.Internal;

/// <summary>
/// A chat model's reply to a label: the first word when it is a label ("Spam.", "**ham**", "spam - it offers…"),
/// else the one label the reply names as a whole word; null when it names none or several ("ham or spam?").
/// Case and surrounding punctuation or markdown are ignored.
/// </summary>
internal static class LabelParser
{
    public static string? Parse(string? reply, IReadOnlyList<string> labels)
    {
        if (string.IsNullOrWhiteSpace(reply)) return null;
        var words = reply.Split((char[])[' ', '\t', '\r', '\n', ',', ';', ':', '.', '!', '?', '*', '`', '"', '\'', '(', ')', '[', ']', '_', '#', '/'],
            StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return null;
        string? Label(string w) => labels.FirstOrDefault(l => string.Equals(l, w, StringComparison.OrdinalIgnoreCase));
        if (Label(words[0]) is { } first) return first;
        var named = words.Select(Label).Where(l => l is not null).Distinct(StringComparer.Ordinal).ToList();
        return named.Count == 1 ? named[0] : null;
    }
}
