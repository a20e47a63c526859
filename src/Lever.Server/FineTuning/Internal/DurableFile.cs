using System.Text;

namespace Lever.Server.FineTuning.Internal;

/// <summary>
/// Writes that are on disk before the server answers: whole files go to a temporary name, are fsynced and renamed over
/// the target (after a kill -9 the target holds the old or the new bytes, never a torn mix); log lines are appended in
/// one write and fsynced. A torn last line (a kill mid-append) is skipped when read.
/// </summary>
internal static class DurableFile
{
    public static void WriteAllText(string path, string text)
    {
        var temp = path + $".{Environment.ProcessId}.tmp";
        using (var fs = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            fs.Write(Encoding.UTF8.GetBytes(text));
            fs.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    public static void AppendLine(string path, string line)
    {
        using var fs = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        fs.Write(Encoding.UTF8.GetBytes(line + "\n"));
        fs.Flush(flushToDisk: true);
    }

    public static void Fsync(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        fs.Flush(flushToDisk: true);
    }

    /// <summary>The complete lines of a log (a partial last line, left by a kill mid-write, is dropped).</summary>
    public static IEnumerable<string> ReadLines(string path)
    {
        if (!File.Exists(path)) yield break;
        var text = File.ReadAllText(path);
        var end = text.LastIndexOf('\n');
        if (end < 0) yield break;
        foreach (var line in text[..end].Split('\n'))
            if (line.Length > 0) yield return line;
    }
}
