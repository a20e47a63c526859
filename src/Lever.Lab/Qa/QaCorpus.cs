using System.Diagnostics;
using Lever.Core;
using Lever.Lab.Pipeline;

namespace Lever.Lab.Qa;

/// <summary>The documents the QA lab indexes: present, or installed once from a Debian package, then inventoried for the stage hashes.</summary>
public static class QaCorpus
{
    /// <summary>
    /// Returns the full path of <paramref name="path"/>; when it is missing and <paramref name="aptPackage"/> is set, installs
    /// the package with <c>apt-get install -y</c> first (idempotent: an installed package is never touched).
    /// </summary>
    public static async Task<string> EnsureAsync(string path, string? aptPackage, string field, ILabObserver observer, CancellationToken ct)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) return full;
        if (aptPackage is null)
            throw new LeverUserException($"{field}: {full} does not exist", "point the index's path at the folder of documents, or set lab.qa.apt_package to install them");
        observer.Info($"{full} is missing: installing the Debian package {aptPackage} (apt-get install -y {aptPackage})");
        var (code, output) = await RunAsync("apt-get", ["install", "-y", "--no-install-recommends", aptPackage], ct).ConfigureAwait(false);
        if (code != 0)
        {
            // A stale package list is the usual cause on a fresh machine: refresh once and retry.
            await RunAsync("apt-get", ["update", "-q"], ct).ConfigureAwait(false);
            (code, output) = await RunAsync("apt-get", ["install", "-y", "--no-install-recommends", aptPackage], ct).ConfigureAwait(false);
        }
        if (code != 0 || !Directory.Exists(full))
            throw new LeverUserException($"apt-get install -y {aptPackage} failed (exit {code}): {output.Trim().Split('\n').LastOrDefault()}",
                $"install it yourself (sudo apt-get install -y {aptPackage}) and run the lab again");
        return full;
    }

    /// <summary>Every file under <paramref name="root"/> as "relative path:size:last write", sorted: what the index stage's hash depends on.</summary>
    public static string Inventory(string root) =>
        string.Join('\n', Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => new FileInfo(f))
            .Select(f => $"{Path.GetRelativePath(root, f.FullName).Replace('\\', '/')}:{f.Length}:{f.LastWriteTimeUtc.Ticks}")
            .Order(StringComparer.Ordinal));

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] args, CancellationToken ct)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new LeverUserException($"could not start {file}", "install the documents by hand");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new LeverUserException($"could not run {file}: {ex.Message}", "install the documents by hand and point the index's path at them");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            return (process.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
        }
    }
}
