namespace Lever.Training.Data;

/// <summary>What <c>lever data validate</c> found in a training file.</summary>
public sealed record DataValidationReport
{
    /// <summary>The file checked.</summary>
    public required string File { get; init; }

    /// <summary>Detected format, or null when no line was valid.</summary>
    public DatasetFormat? Format { get; init; }

    /// <summary>Non-blank lines read.</summary>
    public int Lines { get; init; }

    /// <summary>Lines that parsed into training examples (duplicates included).</summary>
    public int ValidExamples { get; init; }

    /// <summary>Distinct valid examples.</summary>
    public int UniqueExamples { get; init; }

    /// <summary>Number of invalid lines (all of them, even past the listing cap).</summary>
    public int InvalidCount { get; init; }

    /// <summary>Invalid lines with their reason, up to the cap.</summary>
    public required IReadOnlyList<LineProblem> Invalid { get; init; }

    /// <summary>Blank lines (skipped when training) by number, up to the cap.</summary>
    public required IReadOnlyList<int> BlankLines { get; init; }

    /// <summary>Number of exact duplicates (repeats beyond the first).</summary>
    public int DuplicateCount { get; init; }

    /// <summary>Duplicates as (line, line of the first occurrence), up to the cap.</summary>
    public required IReadOnlyList<(int Line, int FirstLine)> Duplicates { get; init; }

    /// <summary>Median example length in tokens.</summary>
    public int TokensP50 { get; init; }

    /// <summary>95th percentile example length in tokens.</summary>
    public int TokensP95 { get; init; }

    /// <summary>Longest example in tokens.</summary>
    public int TokensMax { get; init; }

    /// <summary>Sequence length the truncation count uses.</summary>
    public int SeqLen { get; init; }

    /// <summary>Examples longer than <see cref="SeqLen"/> (they would be cut; text is packed, not cut).</summary>
    public int Truncated { get; init; }

    /// <summary>Tokens that carry loss in one pass over the distinct examples (after truncation).</summary>
    public long TrainingTokensPerEpoch { get; init; }

    /// <summary>True when token counts are estimated (about 4 characters per token) because no tokenizer was given.</summary>
    public bool TokensEstimated { get; init; }

    /// <summary>Distinct completion / final-assistant texts: the label count when the task is classification.</summary>
    public int DistinctOutputs { get; init; }

    /// <summary>Data sufficiency for the declared task, or null when none was declared.</summary>
    public DataSufficiency? Sufficiency { get; init; }

    /// <summary>True when every line is usable.</summary>
    public bool Ok => InvalidCount == 0 && ValidExamples > 0;
}
