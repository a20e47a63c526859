using Lever.Core.Data;
using Lever.Training.Internal;

namespace Lever.Training.Data;

/// <summary>Reads a training file once (streamed) and reports everything <see cref="DataValidationReport"/> holds.</summary>
public static class DataValidator
{
    /// <summary>Problems listed per kind before the report just counts.</summary>
    public const int ListCap = 50;

    /// <summary>Validates <paramref name="path"/>; without a tokenizer, token counts are estimated.</summary>
    public static DataValidationReport Validate(string path, ITrainingTokenizer? tokenizer = null, int seqLen = 2048, DataTask? task = null, IChatRenderer? chat = null)
    {
        var encoder = new ExampleEncoder(tokenizer ?? new CharEstimateTokenizer(), chat);
        var parser = new TrainingRecordParser();
        var invalid = new List<LineProblem>();
        var blank = new List<int>();
        var duplicates = new List<(int, int)>();
        var firstLine = new Dictionary<ulong, int>();
        var outputs = new HashSet<string>(StringComparer.Ordinal);
        var lengths = new List<int>();
        int lines = 0, valid = 0, invalidCount = 0, duplicateCount = 0, truncated = 0, previous = 0;
        long tokensPerEpoch = 0;

        foreach (var line in JsonlReader.ReadLines(path))
        {
            // The reader skips blank lines; a gap in the numbering is where they were.
            for (int b = previous + 1; b < line.LineNumber; b++)
                if (blank.Count < ListCap) blank.Add(b);
            previous = line.LineNumber;
            lines++;
            var record = parser.Parse(line, out var error);
            if (record is null)
            {
                invalidCount++;
                if (invalid.Count < ListCap) invalid.Add(new LineProblem(line.LineNumber, error!));
                continue;
            }
            valid++;
            if (firstLine.TryGetValue(record.ContentHash, out var first))
            {
                duplicateCount++;
                if (duplicates.Count < ListCap) duplicates.Add((line.LineNumber, first));
                continue;
            }
            firstLine[record.ContentHash] = line.LineNumber;
            var output = record.Completion ?? record.Messages?.LastOrDefault(m => m.Role == "assistant")?.Content;
            if (output is not null) outputs.Add(output.Trim());

            var (ids, trainable) = encoder.Encode(record);
            lengths.Add(ids.Count);
            if (record.Format == DatasetFormat.Text)
            {
                tokensPerEpoch += ids.Count; // packed: nothing is cut
            }
            else
            {
                if (ids.Count > seqLen) truncated++;
                for (int i = 1; i < Math.Min(ids.Count, seqLen); i++) if (trainable[i]) tokensPerEpoch++;
            }
        }

        lengths.Sort();
        int unique = firstLine.Count;
        return new DataValidationReport
        {
            File = path,
            Format = parser.Format,
            Lines = lines,
            ValidExamples = valid,
            UniqueExamples = unique,
            InvalidCount = invalidCount,
            Invalid = invalid,
            BlankLines = blank,
            DuplicateCount = duplicateCount,
            Duplicates = duplicates,
            TokensP50 = Percentile(lengths, 0.50),
            TokensP95 = Percentile(lengths, 0.95),
            TokensMax = lengths.Count == 0 ? 0 : lengths[^1],
            SeqLen = seqLen,
            Truncated = truncated,
            TrainingTokensPerEpoch = tokensPerEpoch,
            TokensEstimated = tokenizer is null,
            DistinctOutputs = outputs.Count,
            Sufficiency = task is { } t ? DataSufficiency.Judge(t, unique, t == DataTask.Classification ? outputs.Count : null) : null,
        };
    }

    /// <summary>Nearest-rank percentile of a sorted list (0 when empty).</summary>
    internal static int Percentile(List<int> sorted, double p)
    {
        if (sorted.Count == 0) return 0;
        int rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
