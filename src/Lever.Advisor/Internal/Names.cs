using Lever.Core;

namespace Lever.Advisor.Internal;

/// <summary>The advisor's enums in YAML and JSON: snake_case, as <see cref="SnakeCase"/> writes and reads them (<c>WrongFacts</c> ↔ <c>wrong_facts</c>).</summary>
internal static class Names
{
    public static string Snake<T>(T value) where T : struct, Enum => SnakeCase.Of(value);

    public static string Snake(string pascal) => SnakeCase.Of(pascal);

    public static IReadOnlyList<string> All<T>() where T : struct, Enum => SnakeCase.All<T>();

    /// <summary>Case-insensitive, and <c>on-prem</c> reads as <c>on_prem</c>: values are forgiving, field names are not.</summary>
    public static bool TryParse<T>(string text, out T value) where T : struct, Enum => SnakeCase.TryParse(text, out value);
}
