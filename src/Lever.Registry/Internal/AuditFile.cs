using System.Text;

namespace Lever.Registry.Internal;

/// <summary>The audit log file: complete lines (each ending in \n), appended and fsynced one at a time.</summary>
internal static class AuditFile
{
    /// <summary>The complete lines and whether a partial line (no final newline) follows them.</summary>
    public static (List<string> Lines, bool PartialTail, long CompleteBytes) Read(string path)
    {
        if (!File.Exists(path)) return ([], false, 0);
        var bytes = File.ReadAllBytes(path);
        var lines = new List<string>();
        int start = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != (byte)'\n') continue;
            lines.Add(Encoding.UTF8.GetString(bytes, start, i - start));
            start = i + 1;
        }
        return (lines, start < bytes.Length, start);
    }

    /// <summary>Cuts the file to <paramref name="length"/> bytes (drops a partial last line a crash left).</summary>
    public static void Truncate(string path, long length)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        f.SetLength(length);
        f.Flush(true);
    }

    /// <summary>Appends <paramref name="line"/> and a newline in one write, then fsyncs.</summary>
    public static void Append(string path, string line)
    {
        using var f = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1);
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        f.Write(bytes);
        f.Flush(false);
        CrashPoint.At("before-fsync");
        f.Flush(true);
        CrashPoint.At("after-fsync");
    }
}
