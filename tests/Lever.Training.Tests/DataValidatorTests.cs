using Lever.Training.Data;

namespace Lever.Training.Tests;

public sealed class DataValidatorTests
{
    [Fact]
    public void Reports_counts_lengths_duplicates_bad_and_blank_lines()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        var lines = Enumerable.Range(0, 20).Select(i => $"{{\"prompt\":\"{new string('x', i)}\",\"completion\":\"{(i % 2 == 0 ? "even" : "odd")}\"}}").ToList();
        lines[16] = "{\"prompt\": \"broken\", ";        // line 17
        lines[9] = lines[3];                                 // line 10 duplicates line 4
        lines[12] = "";                                      // line 13 blank
        lines[18] = "{\"prompt\":\"p\"}";                    // line 19 misses its completion
        var file = tmp.Write("v.jsonl", string.Join("\r\n", lines));

        var r = DataValidator.Validate(file, new ByteTokenizer(), seqLen: 20, task: DataTask.Classification);

        Assert.Equal(DatasetFormat.PromptCompletion, r.Format);
        Assert.Equal(19, r.Lines);
        Assert.Equal(2, r.InvalidCount);
        Assert.Equal([17, 19], r.Invalid.Select(p => p.Line));
        Assert.StartsWith("invalid JSON", r.Invalid[0].Reason, StringComparison.Ordinal);
        Assert.Equal("missing field \"completion\"", r.Invalid[1].Reason);
        Assert.Equal([13], r.BlankLines);
        Assert.Equal(1, r.DuplicateCount);
        Assert.Equal((10, 4), r.Duplicates.Single());
        Assert.Equal(17, r.ValidExamples);
        Assert.Equal(16, r.UniqueExamples);
        // Lengths: i x's + "even"/"odd" + EOS. Longest is line 20 (i=19): 19+3+1; over 20 tokens: i=17 (21) and i=19 (23).
        Assert.Equal(23, r.TokensMax);
        Assert.Equal(2, r.Truncated);
        Assert.False(r.Ok);
        Assert.Equal(2, r.DistinctOutputs);
        Assert.Equal("too few", r.Sufficiency!.Verdict);
    }

    [Theory]
    [InlineData(DataTask.Style, 49, "too few")]
    [InlineData(DataTask.Style, 50, "sufficient")]
    [InlineData(DataTask.Style, 501, "more than enough")]
    [InlineData(DataTask.Classification, 1_500, "sufficient")]
    [InlineData(DataTask.Extraction, 999, "too few")]
    [InlineData(DataTask.Extraction, 10_000, "sufficient")]
    [InlineData(DataTask.Behaviour, 9_999, "too few")]
    [InlineData(DataTask.Behaviour, 1_000_000, "sufficient")]
    public void Sufficiency_bands_follow_the_task(DataTask task, int examples, string verdict) =>
        Assert.Equal(verdict, DataSufficiency.Judge(task, examples).Verdict);

    [Fact]
    public void Percentiles_use_nearest_rank()
    {
        var xs = Enumerable.Range(1, 100).ToList();
        Assert.Equal(50, DataValidator.Percentile(xs, 0.5));
        Assert.Equal(95, DataValidator.Percentile(xs, 0.95));
        Assert.Equal(0, DataValidator.Percentile([], 0.5));
    }
}
