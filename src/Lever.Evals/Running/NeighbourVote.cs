namespace Lever.Evals.Running;

/// <summary>
/// The k-nearest-neighbour vote of <c>kind: knn_vote</c> recipes and of the lab's retrieval vote: one vote per
/// neighbour; a tie goes to the label with the larger summed similarity, then to the label first in ordinal order.
/// </summary>
public static class NeighbourVote
{
    /// <summary>The winning label of <paramref name="neighbours"/>, or <paramref name="fallback"/> when there are none.</summary>
    public static string Decide(IEnumerable<(string Label, double Score)> neighbours, string fallback)
    {
        var groups = neighbours.GroupBy(n => n.Label, StringComparer.Ordinal).ToList();
        return groups.Count == 0
            ? fallback
            : groups.OrderByDescending(g => g.Count()).ThenByDescending(g => g.Sum(n => n.Score)).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
    }
}
