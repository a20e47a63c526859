using System.Security.Cryptography;

namespace Lever.Training.Internal;

/// <summary>
/// Crash-safe file writing: data goes to a temporary name, is fsynced, then renamed over the target. rename(2) is
/// atomic, so after a kill -9 or power loss the target holds either the old or the new bytes, never a torn mix.
/// </summary>
internal static class AtomicFile
{
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    public static void WriteAllBytes(string path, byte[] bytes)
    {
        var temp = path + $".{Environment.ProcessId}.tmp";
        using (var fs = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            fs.Write(bytes);
            fs.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Forces a file already written (e.g. by a library) to disk.</summary>
    public static void Fsync(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        fs.Flush(flushToDisk: true);
    }

    public static string Sha256(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(fs));
    }
}
