using System.CommandLine;
using System.Diagnostics;
using Lever.Core;
using Lever.Core.Config;
using Lever.Evals.Running;
using Lever.Providers;
using Lever.Retrieval;
using Microsoft.Extensions.AI;
using Spectre.Console;

namespace Lever.Cli.Commands;

/// <summary>Shared by the index, search and ask commands: opening an index by name and reading its lever.yaml options.</summary>
internal static class RetrievalCli
{
    public const string DefaultIndexName = "default";

    /// <summary>The workspace's providers from lever.yaml (relative local model paths resolve against the workspace root).</summary>
    public static ProviderRegistry Providers(Workspace ws) => Composition.Providers(ws);

    /// <summary>
    /// The generator that embeds queries for an index: lever.yaml's <c>indexes.&lt;name&gt;.embedding</c> provider, else the
    /// local model that made its vectors, else null (BM25 only).
    /// </summary>
    public static IEmbeddingGenerator<string, Embedding<float>>? Embedder(Workspace ws, string? name, IndexOptions options, RetrievalIndex index) =>
        Lever.Evals.Composition.IndexEmbeddings.ForSearch(Providers(ws), name ?? DefaultIndexName, options, index);

    /// <summary>The generator an ingest embeds with: none with --no-vectors, else as for search, else the built-in local model.</summary>
    public static IEmbeddingGenerator<string, Embedding<float>>? IngestEmbedder(Workspace ws, string? name, IndexOptions options, RetrievalIndex index, bool noVectors) =>
        Lever.Evals.Composition.IndexEmbeddings.ForIngest(Providers(ws), name ?? DefaultIndexName, options, index, noVectors);

    /// <summary>The <c>--mode</c> option of search, ask and index eval.</summary>
    public static Option<string?> ModeOption() => new("--mode") { Description = $"retrievers: {SearchModes.Names} (default: hybrid when the index has vectors, else bm25)" };

    public static (Workspace Workspace, IndexOptions Options) Load(string? name)
    {
        var ws = Workspace.Open();
        var config = LeverConfig.Load(ws.ConfigPath);
        var indexes = config.Section<Dictionary<string, IndexOptions>>("indexes");
        var options = indexes is not null && indexes.TryGetValue(name ?? DefaultIndexName, out var o) && o is not null ? o : new IndexOptions();
        return (ws, options);
    }

    public static string IndexDir(Workspace ws, string? name)
    {
        var n = name ?? DefaultIndexName;
        if (n.Length == 0 || n.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || n is "." or "..")
            throw new LeverUserException($"--name '{n}' is not a valid index name", "use letters, digits, '-' or '_'");
        return Path.Combine(ws.IndexesDir, n);
    }

    /// <summary>Opens an existing index; a missing one is a user error that says how to make it.</summary>
    public static RetrievalIndex OpenExisting(Workspace ws, string? name)
    {
        var dir = IndexDir(ws, name);
        if (!File.Exists(Path.Combine(dir, RetrievalIndex.StoreFileName)))
            throw new LeverUserException($"no index '{name ?? DefaultIndexName}' in {ws.Root} (looked for {dir})", "run `lever index add <folder>` in this folder first");
        return RetrievalIndex.Open(dir);
    }

    public static Caller Caller(string? user, string? groups) =>
        new(user, (groups ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Runs an ingest with a live progress bar on a terminal, or a line every few seconds when redirected.</summary>
    public static async Task<IngestReport> WithProgressAsync(Func<IProgress<IngestProgress>, Task<IngestReport>> run, string verb)
    {
        if (!Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            IngestReport? report = null;
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask(verb, maxValue: 1);
                    var progress = new Progress<IngestProgress>(p =>
                    {
                        task.MaxValue = Math.Max(1, p.FilesTotal);
                        task.Value = p.FilesDone;
                        task.Description = $"{verb} {Markup.Escape(Truncate(p.Current, 40))}";
                    });
                    report = await run(progress).ConfigureAwait(false);
                    task.Value = task.MaxValue;
                }).ConfigureAwait(false);
            return report!;
        }
        var sw = Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        var lines = new SyncProgress(p =>
        {
            if (sw.Elapsed - last < TimeSpan.FromSeconds(2) && p.FilesDone != p.FilesTotal) return;
            last = sw.Elapsed;
            double rate = p.FilesDone / Math.Max(0.001, sw.Elapsed.TotalSeconds);
            var eta = rate > 0 ? TimeSpan.FromSeconds((p.FilesTotal - p.FilesDone) / rate) : TimeSpan.Zero;
            Console.Error.WriteLine($"{verb}: {p.FilesDone}/{p.FilesTotal} files, {rate:F0} files/s, ETA {eta:mm\\:ss}");
        });
        return await run(lines).ConfigureAwait(false);
    }

    public static void PrintReport(IngestReport r, IndexStats stats)
    {
        foreach (var issue in r.Issues) Console.Error.WriteLine($"skipped {issue.Path}: {issue.Reason}");
        var rate = (r.Added + r.Updated) / Math.Max(0.001, r.Elapsed.TotalSeconds);
        AnsiConsole.MarkupLineInterpolated(
            $"[green]{r.Added}[/] added, [green]{r.Updated}[/] updated, {r.Unchanged} unchanged, {r.Removed} removed, {r.Chunks} chunks written, {r.Issues.Count} skipped in {r.Elapsed.TotalSeconds:F1}s ({rate:F0} docs/s)");
        if (r.Embedded + r.VectorsReused > 0)
            AnsiConsole.MarkupLineInterpolated($"vectors: {r.Embedded} chunks embedded, {r.VectorsReused} unchanged chunks kept theirs ({stats.EmbeddingModel ?? "embedding model"})");
        AnsiConsole.MarkupLineInterpolated($"index: {stats.Documents} documents, {stats.Chunks} chunks, {stats.Vectors} vectors ({stats.Windows} model windows), {stats.Terms} terms");
    }

    public static string Truncate(string s, int n) => s.Length <= n ? s : "…" + s[^(n - 1)..];

    /// <summary>An IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool, out of order).</summary>
    private sealed class SyncProgress(Action<IngestProgress> report) : IProgress<IngestProgress>
    {
        public void Report(IngestProgress value) => report(value);
    }
}
