using System.Globalization;
using Lever.Core;
using Lever.Core.Data;

namespace Lever.Training.Data;

/// <summary>
/// Streams a JSONL training file once: parses, drops exact duplicates, assigns each example to train or
/// validation by the seeded split, tokenizes, and appends it to on-disk stores. Memory stays flat in file size
/// (a hash set of 8 bytes per distinct example).
/// </summary>
public static class DatasetBuilder
{
    /// <summary>Bad lines listed in the error before "and N more".</summary>
    public const int MaxListedErrors = 10;

    /// <summary>
    /// Prepares <paramref name="trainPath"/> under <paramref name="dir"/>. With <paramref name="validationPath"/>,
    /// that file is the validation set; otherwise <paramref name="validationFraction"/> of the training file is.
    /// </summary>
    public static PreparedDataset Prepare(string trainPath, string? validationPath, ExampleEncoder encoder, string dir,
        int seed, double validationFraction, DatasetFormat? format = null)
    {
        var trainDir = Path.Combine(dir, "train");
        var valDir = Path.Combine(dir, "val");
        var parser = new TrainingRecordParser(format);
        var seen = new HashSet<ulong>();
        int duplicates = 0;
        using (var train = new TokenStore.Writer(trainDir))
        using (var val = new TokenStore.Writer(valDir))
        {
            foreach (var record in Records(trainPath, parser))
            {
                if (!seen.Add(record.ContentHash))
                {
                    duplicates++;
                    continue;
                }
                var (ids, trainable) = encoder.Encode(record);
                var target = validationPath is null && DataSplit.IsValidation(record.ContentHash, seed, validationFraction) ? val : train;
                target.Add(ids, trainable);
            }
            if (validationPath is not null)
            {
                foreach (var record in Records(validationPath, parser))
                {
                    // An example in both files would make validation loss lie; keep it for validation only if new.
                    if (seen.Contains(record.ContentHash)) continue;
                    var (ids, trainable) = encoder.Encode(record);
                    val.Add(ids, trainable);
                }
            }
            if (train.Count == 0)
                throw new LeverUserException($"{trainPath}: no training examples left after the validation split", "add more examples or pass --val with a separate validation file");
            train.Complete();
            val.Complete();
        }
        return new PreparedDataset(parser.Format!.Value, TokenStore.Open(trainDir), TokenStore.Open(valDir), duplicates);
    }

    /// <summary>Valid records of a file; all bad lines are collected and reported together, naming each line.</summary>
    public static IEnumerable<TrainingRecord> Records(string path, TrainingRecordParser parser)
    {
        var errors = new List<string>();
        int bad = 0;
        foreach (var line in JsonlReader.ReadLines(path))
        {
            var record = parser.Parse(line, out var error);
            if (record is null)
            {
                bad++;
                if (errors.Count < MaxListedErrors) errors.Add(string.Create(CultureInfo.InvariantCulture, $"line {line.LineNumber}: {error}"));
                continue;
            }
            if (bad == 0) yield return record;
        }
        if (bad > 0)
        {
            var more = bad > errors.Count ? $"; and {bad - errors.Count} more" : "";
            throw new LeverUserException($"{path}: {bad} invalid line{(bad == 1 ? "" : "s")}: {string.Join("; ", errors)}{more}",
                $"fix or remove them; `lever data validate {path}` lists every bad line");
        }
    }
}
