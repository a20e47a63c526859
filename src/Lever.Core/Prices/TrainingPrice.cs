namespace Lever.Core.Prices;

/// <summary>A hosted fine-tuning price in USD per 1M training tokens for one base model.</summary>
/// <param name="Base">The base model id.</param>
/// <param name="PerMillionTokens">USD per 1M training tokens (tokens × epochs).</param>
/// <param name="Source">Where the figure was read.</param>
/// <param name="Date">When it was read.</param>
public sealed record TrainingPrice(string Base, double PerMillionTokens, string Source, string Date)
{
    /// <summary>"training base (source, date)" for basis strings.</summary>
    public string Cite => $"training {Base} ({Source}, {Date})";
}
