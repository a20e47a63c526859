using Lever.Core.Config;
using Lever.Core.Prices;

namespace Lever.Advisor;

/// <summary>The price book a workspace prices with: the embedded book plus lever.yaml's <c>prices:</c> overrides.</summary>
public static class WorkspacePrices
{
    /// <summary>The embedded price book with the <c>prices:</c> overrides of <paramref name="config"/>'s file, when it exists.</summary>
    public static PriceBook For(LeverConfig config) =>
        File.Exists(config.Path) ? PriceBook.Default.WithOverrides(config.Path, File.ReadAllText(config.Path)) : PriceBook.Default;

    /// <summary>Token prices of model <paramref name="id"/> (<c>ft:</c> ids as fine-tuned models), or null when the book does not list it.</summary>
    public static TokenPrices? TokenPrices(this PriceBook book, string id)
    {
        var price = id.StartsWith("ft:", StringComparison.Ordinal) ? book.FineTuned(id) : book.Model(id);
        return price is null ? null : new TokenPrices(price.Input, price.CachedInput, price.Output);
    }
}
