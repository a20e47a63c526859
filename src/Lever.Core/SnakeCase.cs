using System.Text;

namespace Lever.Core;

/// <summary>
/// Enum values as YAML and JSON write them: snake_case (<c>FineTuneLora</c> ↔ <c>fine_tune_lora</c>). Parsing is
/// forgiving — case-insensitive, and <c>on-prem</c> reads as <c>on_prem</c> — because values are, field names are not.
/// </summary>
public static class SnakeCase
{
    /// <summary>The snake_case name of <paramref name="value"/>.</summary>
    public static string Of<T>(T value) where T : struct, Enum => Of(value.ToString());

    /// <summary>The snake_case form of a PascalCase identifier.</summary>
    public static string Of(string pascal)
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

    /// <summary>The snake_case names of every value of <typeparamref name="T"/>, in declaration order.</summary>
    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Enum.GetValues<T>().Select(v => Of(v)).ToArray();

    /// <summary>Reads <paramref name="text"/> as a value of <typeparamref name="T"/>; false when it names none.</summary>
    public static bool TryParse<T>(string text, out T value) where T : struct, Enum
    {
        var wanted = text.Trim().Replace('-', '_');
        foreach (var v in Enum.GetValues<T>())
        {
            if (string.Equals(Of(v), wanted, StringComparison.OrdinalIgnoreCase))
            {
                value = v;
                return true;
            }
        }
        value = default;
        return false;
    }
}
