using System.CommandLine;
using System.Text.Json;
using Lever.Core;
using Lever.Retrieval;
using Spectre.Console;

namespace Lever.Cli.Commands;

/// <summary><c>lever index add|sync|stats</c>: build and maintain retrieval indexes under <c>.lever/indexes/</c>.</summary>
internal sealed class IndexCommand : ILeverCommand
{
    public Command Create()
    {
        var command = new Command("index", "Build and maintain retrieval indexes (.lever/indexes/<name>).");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(Sync());
        command.Subcommands.Add(Stats());
        command.Subcommands.Add(Eval());
        return command;
    }

    private static Option<string?> NameOption() => new("--name", "-n") { Description = $"index name (default: {RetrievalCli.DefaultIndexName}); options come from lever.yaml indexes.<name>" };

    private static Command Add()
    {
        var path = new Argument<string?>("path") { Description = "folder, file or glob (quoted, e.g. \"docs/**/*.md\") to ingest (.txt, .md, .html, .htm, .jsonl); default: indexes.<name>.path in lever.yaml", Arity = ArgumentArity.ZeroOrOne };
        var name = NameOption();
        var chunkTokens = new Option<int?>("--chunk-tokens") { Description = "token budget per chunk (overrides lever.yaml)" };
        var overlap = new Option<int?>("--chunk-overlap") { Description = "tokens shared by consecutive chunks (overrides lever.yaml)" };
        var delay = new Option<int>("--delay-ms") { Hidden = true, Description = "internal: pause after each file (crash tests)" };
        var noVectors = new Option<bool>("--no-vectors") { Description = "BM25 only: do not embed the chunks (default: embed with indexes.<name>.embedding, else the local all-MiniLM-L6-v2)" };
        var command = new Command("add", "Ingest a folder into an index (re-running it finishes an interrupted ingest); chunks are embedded for hybrid search unless --no-vectors.") { path, name, chunkTokens, overlap, delay, noVectors };
        command.SetAction(async (parse, ct) =>
        {
            var (ws, options) = RetrievalCli.Load(parse.GetValue(name));
            if (parse.GetValue(chunkTokens) is { } t) options.ChunkTokens = t;
            if (parse.GetValue(overlap) is { } o) options.ChunkOverlap = o;
            var root = parse.GetValue(path) ?? options.Path
                ?? throw new LeverUserException("no folder given", "run `lever index add <folder>` or set indexes.<name>.path in lever.yaml");
            // A glob ("docs/**/*.md") is its folder plus an include pattern.
            int wildcard = root.IndexOfAny(['*', '?']);
            if (wildcard >= 0)
            {
                int slash = root.LastIndexOf('/', wildcard);
                var pattern = root[(slash + 1)..];
                root = slash >= 0 ? root[..slash] : ".";
                options.Include = [.. options.Include ?? [], pattern];
            }
            root = Path.GetFullPath(Path.Combine(ws.Root, root));
            if (!File.Exists(root) && !Directory.Exists(root))
                throw new LeverUserException($"{root}: no such file or folder", "give the folder that holds your documents");
            var dir = Workspace.Ensure(RetrievalCli.IndexDir(ws, parse.GetValue(name)));
            using (var index = RetrievalIndex.Open(dir))
            {
                index.DelayPerFile = TimeSpan.FromMilliseconds(parse.GetValue(delay));
                using var embedder = RetrievalCli.IngestEmbedder(ws, parse.GetValue(name), options, index, parse.GetValue(noVectors));
                var report = await RetrievalCli.WithProgressAsync(p => index.AddAsync(root, options, embedder, p, ct), "ingesting").ConfigureAwait(false);
                RetrievalCli.PrintReport(report, index.Stats());
            }
            // Lineage: the closed index folder is a registry snapshot.
            RegistryCli.RecordIndex(ws, parse.GetValue(name) ?? RetrievalCli.DefaultIndexName, dir, "add");
            return 0;
        });
        return command;
    }

    private static Command Sync()
    {
        var name = NameOption();
        var watch = new Option<bool>("--watch") { Description = "keep running and sync whenever a file under an ingested folder changes (Ctrl-C stops)" };
        var command = new Command("sync", "Re-index added and changed documents (by content hash), delete removed ones.") { name, watch };
        command.SetAction(async (parse, ct) =>
        {
            var (ws, options) = RetrievalCli.Load(parse.GetValue(name));
            using var index = RetrievalCli.OpenExisting(ws, parse.GetValue(name));
            // Vectors follow the index: re-embedded (changed chunks only) when it has them or lever.yaml names a provider.
            using var embedder = RetrievalCli.Embedder(ws, parse.GetValue(name), options, index);
            var report = await RetrievalCli.WithProgressAsync(p => index.SyncAsync(options, embedder, p, ct), "syncing").ConfigureAwait(false);
            RetrievalCli.PrintReport(report, index.Stats());
            foreach (var id in report.ChangedIds.Take(20)) Console.WriteLine($"re-indexed {id}");
            if (!parse.GetValue(watch))
            {
                index.Dispose();
                // Lineage: the synced, closed index folder is a registry snapshot.
                RegistryCli.RecordIndex(ws, parse.GetValue(name) ?? RetrievalCli.DefaultIndexName, RetrievalCli.IndexDir(ws, parse.GetValue(name)), "sync");
                return 0;
            }
            await WatchAsync(index, options, embedder, ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>Syncs after file changes settle (a half-second quiet period), until cancelled.</summary>
    private static async Task WatchAsync(RetrievalIndex index, IndexOptions options, Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>? embedder, CancellationToken ct)
    {
        var changed = new SemaphoreSlim(0);
        var watchers = new List<FileSystemWatcher>();
        try
        {
            foreach (var root in index.Stats().Roots.Where(Directory.Exists))
            {
                var w = new FileSystemWatcher(root) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.DirectoryName | NotifyFilters.Size };
                FileSystemEventHandler onChange = (_, _) => changed.Release();
                w.Changed += onChange;
                w.Created += onChange;
                w.Deleted += onChange;
                w.Renamed += (_, _) => changed.Release();
                w.EnableRaisingEvents = true;
                watchers.Add(w);
            }
            Console.Error.WriteLine($"watching {watchers.Count} folder(s); Ctrl-C stops");
            while (true)
            {
                await changed.WaitAsync(ct).ConfigureAwait(false);
                // Let a burst of writes settle, then sync once.
                while (await changed.WaitAsync(TimeSpan.FromMilliseconds(500), ct).ConfigureAwait(false)) { }
                var report = await index.SyncAsync(options, embedder, null, ct).ConfigureAwait(false);
                if (report.Added + report.Updated + report.Removed > 0 || report.Issues.Count > 0)
                {
                    RetrievalCli.PrintReport(report, index.Stats());
                    foreach (var id in report.ChangedIds.Take(20)) Console.WriteLine($"re-indexed {id}");
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.Error.WriteLine("stopped watching");
        }
        finally
        {
            foreach (var w in watchers) w.Dispose();
        }
    }

    private static Command Eval()
    {
        var file = new Argument<string>("questions") { Description = "JSONL of {\"question\": \"...\", \"relevant\": [\"doc id\", ...]}" };
        var name = NameOption();
        var k = new Option<int>("--k") { Description = "k of recall@k", DefaultValueFactory = _ => 10 };
        var user = new Option<string?>("--user") { Description = "evaluate as this user" };
        var groups = new Option<string?>("--groups") { Description = "comma-separated groups of the caller" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "one line per question" };
        var mode = RetrievalCli.ModeOption();
        var command = new Command("eval", "Retrieval quality on a question set: recall@k, MRR and nDCG@10 (documents, best chunk each).") { file, name, k, user, groups, verbose, mode };
        command.SetAction(async (parse, ct) =>
        {
            var (ws, options) = RetrievalCli.Load(parse.GetValue(name));
            using var index = RetrievalCli.OpenExisting(ws, parse.GetValue(name));
            var questions = Lever.Retrieval.Evaluation.RetrievalEvaluator.Load(Path.GetFullPath(parse.GetValue(file)!));
            var requested = SearchModes.Parse(parse.GetValue(mode), "--mode");
            using var embedder = requested == SearchMode.Lexical ? null : RetrievalCli.Embedder(ws, parse.GetValue(name), options, index);
            var used = index.ModeFor(requested, embedder is not null);
            var report = await Lever.Retrieval.Evaluation.RetrievalEvaluator.EvaluateAsync(index, questions, Math.Max(1, parse.GetValue(k)),
                RetrievalCli.Caller(parse.GetValue(user), parse.GetValue(groups)), used, embedder, ct).ConfigureAwait(false);
            if (parse.GetValue(verbose))
                foreach (var q in report.Questions)
                    Console.WriteLine($"{q.NdcgAt10:F2}  {q.Question}  ->  {string.Join(", ", q.Ranked.Take(3))}");
            Console.WriteLine(FormattableString.Invariant($"{questions.Count} questions: recall@{report.K}={report.RecallAtK:F4} MRR={report.Mrr:F4} nDCG@10={report.NdcgAt10:F4}")
                + (used == SearchMode.Lexical ? "" : $" ({SearchModes.Name(used)})"));
            return 0;
        });
        return command;
    }

    private static Command Stats()
    {
        var name = NameOption();
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var command = new Command("stats", "Documents, chunks, terms, sizes on disk and whether an ingest was interrupted.") { name, json };
        command.SetAction(parse =>
        {
            var (ws, _) = RetrievalCli.Load(parse.GetValue(name));
            using var index = RetrievalCli.OpenExisting(ws, parse.GetValue(name));
            var s = index.Stats();
            int inconsistent = index.CheckConsistency();
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    documents = s.Documents, chunks = s.Chunks, vectors = s.Vectors, windows = s.Windows, embedding_model = s.EmbeddingModel, dimensions = s.EmbeddingDimensions,
                    terms = s.Terms, roots = s.Roots, interrupted = s.Interrupted,
                    store_bytes = s.StoreBytes, index_bytes = s.IndexBytes, generation = s.Generation, inconsistent_documents = inconsistent,
                }));
                return 0;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("", "");
            table.AddRow("documents", s.Documents.ToString(System.Globalization.CultureInfo.InvariantCulture));
            table.AddRow("chunks", s.Chunks.ToString(System.Globalization.CultureInfo.InvariantCulture));
            table.AddRow("vectors", s.Vectors.ToString(System.Globalization.CultureInfo.InvariantCulture)
                + (s.EmbeddingModel is null ? "" : Markup.Escape($" ({s.EmbeddingModel}, {s.EmbeddingDimensions} dimensions)")));
            table.AddRow("model windows", s.Windows.ToString(System.Globalization.CultureInfo.InvariantCulture));
            table.AddRow("terms", s.Terms.ToString(System.Globalization.CultureInfo.InvariantCulture));
            table.AddRow("store on disk", $"{s.StoreBytes / 1048576.0:F1} MiB");
            table.AddRow("index files", $"{s.IndexBytes / 1048576.0:F1} MiB");
            foreach (var r in s.Roots) table.AddRow("root", Markup.Escape(r));
            AnsiConsole.Write(table);
            foreach (var r in s.Interrupted) Console.Error.WriteLine($"the last ingest of {r} did not finish: run `lever index sync` to complete it");
            if (inconsistent > 0) Console.Error.WriteLine($"{inconsistent} document(s) have missing chunks: run `lever index sync`");
            return 0;
        });
        return command;
    }
}
