using Lever.Training.Data;

namespace Lever.Training.Internal;

/// <summary>
/// Stand-in when no model is named: about 4 characters per token, the usual rule of thumb for English BPE.
/// Only lengths are meaningful; the ids are placeholders and never train anything.
/// </summary>
internal sealed class CharEstimateTokenizer : ITrainingTokenizer
{
    public int VocabSize => 1;
    public int EosTokenId => 0;
    public int? BosTokenId => null;
    public IReadOnlyList<int> Encode(string text) => new int[(text.Length + 3) / 4];
}
