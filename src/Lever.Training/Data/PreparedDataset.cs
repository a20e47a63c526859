namespace Lever.Training.Data;

/// <summary>A training file tokenized into train and validation stores, with what preparing it found.</summary>
public sealed class PreparedDataset(DatasetFormat format, TokenStore train, TokenStore validation, int duplicatesDropped) : IDisposable
{
    /// <summary>The file's format.</summary>
    public DatasetFormat Format { get; } = format;

    /// <summary>Training examples (documents for text).</summary>
    public TokenStore Train { get; } = train;

    /// <summary>Validation examples: the seeded slice, or the --val file.</summary>
    public TokenStore Validation { get; } = validation;

    /// <summary>Exact duplicates left out (each kept once).</summary>
    public int DuplicatesDropped { get; } = duplicatesDropped;

    /// <summary>Sequences to train on: packed windows for text, one example each otherwise.</summary>
    public ISequenceSource TrainSequences(int seqLen) => Sequences(Train, seqLen);

    /// <summary>Validation sequences, shaped like <see cref="TrainSequences"/>.</summary>
    public ISequenceSource ValidationSequences(int seqLen) => Sequences(Validation, seqLen);

    private ISequenceSource Sequences(TokenStore store, int seqLen) =>
        Format == DatasetFormat.Text ? new PackedSequences(store, seqLen) : new ExampleSequences(store, seqLen);

    /// <inheritdoc />
    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
    }
}
