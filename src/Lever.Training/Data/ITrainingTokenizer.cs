namespace Lever.Training.Data;

/// <summary>
/// The little a dataset needs from a tokenizer. Kept this small so datasets are testable without a trained
/// tokenizer; the engine's tokenizers are adapted to it.
/// </summary>
public interface ITrainingTokenizer
{
    /// <summary>Number of ids the model's embedding must hold.</summary>
    int VocabSize { get; }

    /// <summary>End-of-sequence id: separates packed documents and ends completions.</summary>
    int EosTokenId { get; }

    /// <summary>Beginning-of-sequence id prepended to each example, or null when the model uses none.</summary>
    int? BosTokenId { get; }

    /// <summary>Token ids of <paramref name="text"/> with no special tokens added.</summary>
    IReadOnlyList<int> Encode(string text);
}
