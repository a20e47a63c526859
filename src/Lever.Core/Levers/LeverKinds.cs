namespace Lever.Core.Levers;

/// <summary>The names of <see cref="LeverKind"/> as YAML, JSON and reports write them (<c>fine_tune_lora</c>), and reading them back.</summary>
public static class LeverKinds
{
    /// <summary>Every lever, in vocabulary order (baseline first).</summary>
    public static IReadOnlyList<LeverKind> All { get; } = Enum.GetValues<LeverKind>();

    /// <summary>The snake_case names of <see cref="All"/>, in the same order.</summary>
    public static IReadOnlyList<string> Names { get; } = SnakeCase.All<LeverKind>();

    /// <summary>The snake_case name of <paramref name="lever"/> (<c>FineTuneLora</c> → <c>fine_tune_lora</c>).</summary>
    public static string Name(LeverKind lever) => SnakeCase.Of(lever);

    /// <summary>Reads a lever name (case-insensitive, <c>-</c> as <c>_</c>); false when it names no lever.</summary>
    public static bool TryParse(string text, out LeverKind lever) => SnakeCase.TryParse(text, out lever);

    /// <summary>Reads a lever name; an unknown one is the user's error, naming <paramref name="where"/>, <paramref name="field"/> and the valid names.</summary>
    public static LeverKind Parse(string text, string where, string field) =>
        TryParse(text, out var lever) ? lever
        : throw new LeverUserException($"{where}: field '{field}': '{text}' is not one of {string.Join(" | ", Names)}", "name the lever in snake_case, e.g. fine_tune_lora (docs/ADVISOR.md lists what each means)");
}
