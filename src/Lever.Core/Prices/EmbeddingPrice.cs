namespace Lever.Core.Prices;

/// <summary>An embedding model's price in USD per 1M input tokens.</summary>
/// <param name="Id">Price-book id.</param>
/// <param name="Input">USD per 1M tokens embedded.</param>
/// <param name="Source">Where the figure was read.</param>
/// <param name="Date">When it was read.</param>
public sealed record EmbeddingPrice(string Id, double Input, string Source, string Date)
{
    /// <summary>"id (source, date)" for basis strings.</summary>
    public string Cite => $"{Id} ({Source}, {Date})";
}
