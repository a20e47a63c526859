using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Lever.Retrieval;

/// <summary>
/// Re-ranks hits with a chat model (listwise, in the manner of RankGPT, Sun et al. 2023): the model sees the
/// numbered passages and the query and replies with passage numbers, most relevant first. Numbers it leaves out
/// keep their original order after the ones it named; a reply with no usable numbers leaves the order unchanged.
/// </summary>
public sealed partial class ChatReranker(IChatClient chat) : IReranker
{
    /// <summary>Characters of each passage shown to the model.</summary>
    public int MaxPassageChars { get; init; } = 600;

    /// <inheritdoc />
    public async Task<IReadOnlyList<SearchHit>> RerankAsync(string query, IReadOnlyList<SearchHit> hits, CancellationToken cancellationToken)
    {
        if (hits.Count < 2) return hits;
        var prompt = new StringBuilder("Rank the passages by how well they answer the query. Reply with the passage numbers only, most relevant first, separated by commas.\n\n");
        for (int i = 0; i < hits.Count; i++)
        {
            var text = hits[i].Text.ReplaceLineEndings(" ");
            if (text.Length > MaxPassageChars) text = text[..MaxPassageChars];
            prompt.Append(CultureInfo.InvariantCulture, $"[{i + 1}] {hits[i].Title}: {text}\n");
        }
        prompt.Append("\nQuery: ").Append(query);
        var response = await chat.GetResponseAsync(prompt.ToString(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var order = Order(response.Text, hits.Count);
        return order.Select(i => hits[i]).ToList();
    }

    /// <summary>0-based order from a reply such as "3, 1, 2": named passages first, the rest in their old order.</summary>
    internal static List<int> Order(string reply, int count)
    {
        var named = Number().Matches(reply)
            .Select(m => int.Parse(m.Value, CultureInfo.InvariantCulture) - 1)
            .Where(i => i >= 0 && i < count).Distinct().ToList();
        return [.. named, .. Enumerable.Range(0, count).Where(i => !named.Contains(i))];
    }

    [GeneratedRegex(@"\d+")]
    private static partial Regex Number();
}
