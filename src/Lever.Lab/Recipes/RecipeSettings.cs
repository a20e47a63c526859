using System.Globalization;
using Lever.Lab.Recipes.Local;

namespace Lever.Lab.Recipes;

/// <summary>One training setting of a recipe and where its value came from.</summary>
/// <param name="Name">The setting as lever.yaml names it (<c>lora_steps</c>, <c>lora_learning_rate</c>, …).</param>
/// <param name="Value">The value the recipe trained with.</param>
/// <param name="Source"><c>set in lever.yaml</c>, <c>sized</c> (from the data and the budget), <c>searched on validation</c> or <c>default</c>.</param>
public sealed record RecipeSetting(string Name, double Value, string Source);

/// <summary>A trained recipe's settings, with the search that chose some of them (null when none ran).</summary>
/// <param name="Values">Every setting that shapes its training.</param>
/// <param name="Search">The validation search behind the searched ones.</param>
public sealed record RecipeSettings(IReadOnlyList<RecipeSetting> Values, SettingsSearch? Search)
{
    /// <summary>The source of a searched setting.</summary>
    public const string Searched = "searched on validation";

    /// <summary>
    /// The settings of a fine-tune on the lab's model: its step count and learning rate (searched when lever.yaml sets
    /// no rate: the search in <paramref name="directory"/> then gives the rate and the best step), batch and sequence,
    /// and the LoRA rank for LoRA (never searched: each rank would be another run).
    /// </summary>
    internal static RecipeSettings Of(LabLanguageModelOptions o, string directory, string stepsField, int steps, string rateField, IReadOnlyList<double> rates, bool lora)
    {
        var search = rates.Count > 1 ? ValidationSearch.Read(directory) : null;
        List<RecipeSetting> values =
        [
            new(stepsField, steps, o.SourceOf(stepsField)),
            search is null ? new(rateField, rates[0], o.SourceOf(rateField)) : new(rateField, search.Best.LearningRate, Searched),
        ];
        if (search is not null) values.Add(new("best_step", search.Best.Score.BestStep, Searched));
        values.Add(new("batch_size", o.BatchSize, o.SourceOf("batch_size")));
        values.Add(new("seq_len", o.SeqLen, o.SourceOf("seq_len")));
        if (lora) values.Add(new("lora_rank", o.LoraRank, o.SourceOf("lora_rank")));
        return new RecipeSettings(values, search);
    }
}

/// <summary>The learning rates a fine-tune trains with: the one lever.yaml sets, else the search's grid.</summary>
internal static class LearningRates
{
    public static IReadOnlyList<double> Of(double? set, double fallback) => set is { } rate ? [rate] : ValidationSearch.Grid(fallback);

    /// <summary>The rates in a recipe's fingerprint: one rate as before the search existed (caches stay valid), a grid as <c>search:…</c>.</summary>
    public static string Fingerprint(IReadOnlyList<double> rates) => rates.Count == 1
        ? rates[0].ToString(CultureInfo.CurrentCulture)
        : "search:" + string.Join(',', rates.Select(r => r.ToString("R", CultureInfo.InvariantCulture))) + ";select=validation";
}
