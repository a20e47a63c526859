using Lever.Registry;

namespace Lever.Registry.Tests;

/// <summary>PSI and centroid distances against hand computations.</summary>
public sealed class DriftStatisticsTests
{
    [Fact]
    public void Psi_matches_the_formula_and_is_zero_for_equal_distributions()
    {
        // (0.4-0.5)·ln(0.4/0.5) + (0.6-0.5)·ln(0.6/0.5) = 0.0223143551 + 0.0182321557
        Assert.Equal(0.0405465108, DriftStatistics.Psi([0.5, 0.5], [0.4, 0.6]), 9);
        Assert.Equal(0, DriftStatistics.LabelPsi(["spam", "ham", "ham"], ["ham", "spam", "ham"]), 12);
    }

    [Fact]
    public void A_label_mix_that_flips_and_inputs_ten_times_longer_exceed_the_default_threshold()
    {
        var reference = Enumerable.Range(0, 100).Select(i => i % 4 == 0 ? "spam" : "ham").ToList();
        var shifted = Enumerable.Range(0, 100).Select(i => i % 4 == 0 ? "ham" : "spam").ToList();
        Assert.True(DriftStatistics.LabelPsi(reference, shifted) > 0.2);
        var lengths = Enumerable.Range(0, 200).Select(i => 20.0 + i % 37).ToList();
        Assert.True(DriftStatistics.LengthPsi(lengths, [.. lengths.Select(l => l * 10)]) > 0.2);
        Assert.True(DriftStatistics.LengthPsi(lengths, [.. lengths.AsEnumerable().Reverse()]) < 0.01);
    }

    [Fact]
    public void Centroid_distance_is_cosine_and_the_split_half_threshold_is_small_for_one_population()
    {
        Assert.Equal(1, DriftStatistics.CentroidDistance([[1f, 0f]], [[0f, 1f]]), 9);
        Assert.Equal(0, DriftStatistics.CentroidDistance([[1f, 1f], [3f, 3f]], [[2f, 2f]]), 9);
        var rng = new Random(1);
        var sample = Enumerable.Range(0, 60).Select(_ => new[] { 1f + (float)rng.NextDouble() * 0.1f, (float)rng.NextDouble() * 0.1f }).ToList();
        var threshold = DriftStatistics.SplitHalfThreshold(sample);
        Assert.InRange(threshold, 0, 0.01);
        Assert.True(DriftStatistics.CentroidDistance(sample, [[0f, 1f]]) > threshold);
    }
}
