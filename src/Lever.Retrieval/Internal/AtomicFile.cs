namespace Lever.Retrieval.Internal;

/// <summary>Index files written whole or not at all: to a temporary name, fsynced, then renamed over the target.</summary>
internal static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/>; a reader sees the old file or the new one, never a
    /// torn mix. The temporary name is per process: a search and an ingest may rebuild the same index at once.
    /// </summary>
    public static void Write(string path, Action<BinaryWriter> write)
    {
        var tmp = $"{path}.{Environment.ProcessId}.tmp";
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var w = new BinaryWriter(stream))
        {
            write(w);
            w.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }
}
