namespace Lever.Training.Data;

/// <summary>
/// One training sequence in the Hugging Face convention: <see cref="Labels"/> has the length of
/// <see cref="InputIds"/>, equals it where the token carries loss and is <see cref="IgnoreIndex"/> elsewhere;
/// the loss shifts by one (position t predicts label t+1).
/// </summary>
public sealed record TokenizedExample(int[] InputIds, int[] Labels)
{
    /// <summary>Label value that the loss skips (prompt, system and user tokens, padding).</summary>
    public const int IgnoreIndex = -100;

    /// <summary>Number of labels that carry loss, not counting the first (it has no predecessor).</summary>
    public int TrainableTokens => Labels.Skip(1).Count(l => l != IgnoreIndex);
}
