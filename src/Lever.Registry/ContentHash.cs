using System.Security.Cryptography;
using System.Text;
using Lever.Core;

namespace Lever.Registry;

/// <summary>
/// The identity of an artifact's content: SHA-256 over the sorted list of (relative path, SHA-256 of the file), one
/// <c>path\thash\n</c> line each, so the same files at another path are the same version. Run logs, optimizer state and
/// checkpoints, training token stores, SQLite journals and lock files are left out: they change without changing what
/// the artifact does. A single file hashes under the empty relative path, so its name does not matter either.
/// </summary>
public static class ContentHash
{
    /// <summary>Files left out of every hash (run logs, run metadata that names absolute paths, journals).</summary>
    public static readonly IReadOnlyList<string> ExcludedFiles =
        ["metrics.jsonl", "predictions.jsonl", "errors.jsonl", "run.json", "start.json", "trainer_state.json", "write.lock", ".DS_Store"];

    /// <summary>
    /// Folders left out of every hash: optimizer state and checkpoints, and a lab recipe's eval run and answer cache
    /// (<c>eval/</c>, <c>answers/</c>: the record of measuring it, with latencies that differ run to run, not the artifact).
    /// </summary>
    public static readonly IReadOnlyList<string> ExcludedFolders = ["checkpoints", "optimizer", "logs", "eval", "answers"];

    /// <summary>Folders left out for models and adapters: the token stores `lever train` prepares (derived from the dataset, which has its own version).</summary>
    public static readonly IReadOnlyList<string> ExcludedTrainingFolders = ["data", "general"];

    /// <summary>The content hash of the file or folder at <paramref name="path"/> and the files it covers.</summary>
    public static (string Sha256, IReadOnlyList<(string Path, string Sha256, long Bytes)> Files) Compute(string path, ArtifactKind kind)
    {
        var full = Path.GetFullPath(path);
        var files = new List<(string, string, long)>();
        if (File.Exists(full))
        {
            files.Add(("", HashFile(full), new FileInfo(full).Length));
        }
        else if (Directory.Exists(full))
        {
            foreach (var file in Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(full, file).Replace('\\', '/');
                if (Excluded(relative, kind)) continue;
                files.Add((relative, HashFile(file), new FileInfo(file).Length));
            }
            files.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
            if (files.Count == 0) throw new LeverUserException($"{full}: no files to register (all were run logs or optimizer state, or the folder is empty)", "point at the folder that holds the artifact's files");
        }
        else
        {
            throw new LeverUserException($"{full}: no such file or folder", "give the path of the artifact to register");
        }
        var list = new StringBuilder();
        foreach (var (p, h, _) in files) list.Append(p).Append('\t').Append(h).Append('\n');
        return (Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(list.ToString()))), files);
    }

    /// <summary>True when <paramref name="relative"/> (forward slashes) is left out of an artifact of <paramref name="kind"/>.</summary>
    public static bool Excluded(string relative, ArtifactKind kind)
    {
        var parts = relative.Split('/');
        var file = parts[^1];
        if (ExcludedFiles.Contains(file, StringComparer.Ordinal)) return true;
        if (file.EndsWith(".log", StringComparison.Ordinal) || file.EndsWith("-wal", StringComparison.Ordinal) || file.EndsWith("-shm", StringComparison.Ordinal)
            || file.EndsWith("-journal", StringComparison.Ordinal) || file.EndsWith(".lock", StringComparison.Ordinal) || file.EndsWith(".tmp", StringComparison.Ordinal)
            || file.StartsWith("optimizer", StringComparison.Ordinal))
            return true;
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (ExcludedFolders.Contains(parts[i], StringComparer.Ordinal)) return true;
            if (i == 0 && kind is ArtifactKind.Model or ArtifactKind.Adapter && ExcludedTrainingFolders.Contains(parts[i], StringComparer.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>SHA-256 (hex) of one file's bytes.</summary>
    public static string HashFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
