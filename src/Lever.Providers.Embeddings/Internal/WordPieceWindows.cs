namespace Lever.Providers.Embeddings.Internal;

/// <summary>
/// Where the windows of a long text fall: <c>size</c> word pieces each, consecutive windows sharing
/// <c>overlap</c> pieces, the last one ending at the text's end, so every piece is inside at least one window.
/// </summary>
internal static class WordPieceWindows
{
    /// <summary>(start, length) of each window over <paramref name="count"/> pieces; one window when it fits.</summary>
    public static List<(int Start, int Length)> Plan(int count, int size, int overlap)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size));
        if (overlap < 0 || overlap >= size) throw new ArgumentOutOfRangeException(nameof(overlap));
        if (count <= size) return [(0, count)];
        int stride = size - overlap;
        var windows = new List<(int, int)>();
        for (int start = 0; ; start += stride)
        {
            if (start + size >= count)
            {
                windows.Add((count - size, size));
                break;
            }
            windows.Add((start, size));
        }
        return windows;
    }
}
