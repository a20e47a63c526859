using System.Text;

namespace Lever.Advisor.Internal;

/// <summary>Enum values are written snake_case in YAML and JSON (<c>WrongFacts</c> ↔ <c>wrong_facts</c>).</summary>
internal static class Names
{
    public static string Snake<T>(T value) where T : struct, Enum => Snake(value.ToString());

    public static string Snake(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Enum.GetValues<T>().Select(v => Snake(v)).ToArray();

    public static bool TryParse<T>(string text, out T value) where T : struct, Enum
    {
        foreach (var v in Enum.GetValues<T>())
        {
            if (string.Equals(Snake(v), text, StringComparison.Ordinal))
            {
                value = v;
                return true;
            }
        }
        value = default;
        return false;
    }
}
