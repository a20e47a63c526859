using Lever.Lab.Data;

namespace Lever.Lab.Tests;

public sealed class DatasetSplitterTests
{
    private static List<LabExample> Pool(int ham, int spam) =>
        [.. Enumerable.Range(0, ham).Select(i => Example($"easy-ham-1/{i:D5}", "ham")), .. Enumerable.Range(0, spam).Select(i => Example($"spam-1/{i:D5}", "spam"))];

    private static LabExample Example(string id, string label) => new(id, id.Split('/')[0], label, "s", "f", "text " + id);

    [Fact]
    public void Validation_is_a_stratified_share_disjoint_from_train_and_test_is_untouched()
    {
        var test = new List<LabExample> { Example("spam-2/00001", "spam"), Example("easy-ham-2/00001", "ham") };
        var d = DatasetSplitter.Split(Pool(200, 40), test, 0.15, seed: 3);
        Assert.Equal(30, d.Validation.Count(e => e.Label == "ham"));
        Assert.Equal(6, d.Validation.Count(e => e.Label == "spam"));
        Assert.Equal(240 - 36, d.Train.Count);
        Assert.Empty(d.Train.Select(e => e.Id).Intersect(d.Validation.Select(e => e.Id)));
        Assert.Equal(["easy-ham-2/00001", "spam-2/00001"], d.Test.Select(e => e.Id));
        Assert.Equal(["ham", "spam"], d.Labels);
    }

    [Fact]
    public void The_split_depends_on_ids_and_seed_only_not_on_input_order()
    {
        var pool = Pool(100, 30);
        var a = DatasetSplitter.Split(pool, [], 0.2, seed: 11);
        var shuffled = pool.OrderBy(e => e.Id.GetHashCode(StringComparison.Ordinal) ^ 0x5bd1e995).ToList();
        var b = DatasetSplitter.Split(shuffled, [], 0.2, seed: 11);
        Assert.Equal(a.Validation.Select(e => e.Id), b.Validation.Select(e => e.Id));
        Assert.Equal(a.Train.Select(e => e.Id), b.Train.Select(e => e.Id));
        var c = DatasetSplitter.Split(pool, [], 0.2, seed: 12);
        Assert.NotEqual(a.Validation.Select(e => e.Id), c.Validation.Select(e => e.Id));
    }

    [Fact]
    public void Training_order_interleaves_the_classes()
    {
        var d = DatasetSplitter.Split(Pool(100, 100), [], 0.1, seed: 1);
        // Sorted by id the first 90 would all be ham; the seeded order mixes them.
        var firstHalf = d.Train.Take(d.Train.Count / 2).Count(e => e.Label == "spam");
        Assert.InRange(firstHalf, 25, 65);
    }
}
