using System.Text;
using Lever.Training.Data;

namespace Lever.Training.Tests;

/// <summary>UTF-8 bytes as ids 0..255, then EOS = 256 (and BOS = 257 when asked): exact and trivially invertible.</summary>
internal sealed class ByteTokenizer(bool withBos = false) : ITrainingTokenizer
{
    public int VocabSize => 258;
    public int EosTokenId => 256;
    public int? BosTokenId => withBos ? 257 : null;
    public IReadOnlyList<int> Encode(string text) => Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray();
    public static string Decode(IEnumerable<int> ids) => Encoding.UTF8.GetString(ids.Where(i => i < 256).Select(i => (byte)i).ToArray());
}
