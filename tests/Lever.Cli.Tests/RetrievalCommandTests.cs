using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Lever.Cli.Tests;

/// <summary>lever index/search/ask run as a user would: in a workspace folder, as a child process.</summary>
public sealed class RetrievalCommandTests : IDisposable
{
    private readonly TempWorkspace _tmp = new("lever-retrieval-cli-");

    public void Dispose() => _tmp.Dispose();

    private string Write(string relative, string content) => _tmp.Write(relative, content);

    private JsonElement SearchJson(params string[] args)
    {
        var r = LeverProcess.Run(_tmp.Root, ["search", .. args, "--json"]);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        return JsonDocument.Parse(r.Stdout).RootElement;
    }

    [Fact]
    public void Index_add_then_search_json_prints_the_documented_shape_with_citations()
    {
        Write("corpus/guide/config.md", "# Configuration\n## Timeouts\nSet statement_timeout to abort queries that run too long.\n## Memory\nwork_mem sizes sorts.");
        Write("corpus/other.txt", "Nothing about that here.");
        var add = LeverProcess.Run(_tmp.Root, "index", "add", "corpus", "--no-vectors");
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        Assert.Contains("2 added", add.Stdout);

        var json = SearchJson("abort long queries", "--k", "5");
        var first = json.GetProperty("results")[0];
        Assert.Equal(["rank", "doc", "title", "heading", "span", "score", "text"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, first.GetProperty("rank").GetInt32());
        Assert.Equal("guide/config.md", first.GetProperty("doc").GetString());
        Assert.Equal("Configuration", first.GetProperty("title").GetString());
        Assert.Equal("Configuration > Timeouts", first.GetProperty("heading").GetString());
        var text = File.ReadAllText(Path.Combine(_tmp.Root, "corpus/guide/config.md"));
        var span = first.GetProperty("span").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(first.GetProperty("text").GetString(), text[span[0]..span[1]]);
        Assert.True(first.GetProperty("score").GetDouble() > 0);
    }

    [Fact]
    public void Index_add_takes_a_glob_that_sync_remembers_and_index_eval_scores_a_question_set()
    {
        Write("corpus/a/guide.md", "# Guide\nInstall the widget carefully.");
        Write("corpus/b/notes.md", "# Notes\nThe widget needs oil.");
        Write("corpus/b/skip.txt", "widget text that the glob leaves out");
        var add = LeverProcess.Run(_tmp.Root, "index", "add", "corpus/**/*.md", "--no-vectors");
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        Assert.Contains("2 added", add.Stdout);
        Write("corpus/b/more.txt", "another widget text");
        Assert.Contains("0 added, 0 updated, 2 unchanged", LeverProcess.Run(_tmp.Root, "index", "sync").Stdout);

        Write("q.jsonl", "{\"question\": \"how to install the widget\", \"relevant\": [\"a/guide.md\"]}\n{\"question\": \"widget oil\", \"relevant\": [\"b/notes.md\"]}\n");
        var eval = LeverProcess.Run(_tmp.Root, "index", "eval", "q.jsonl");
        Assert.True(eval.ExitCode == 0, eval.Stdout + eval.Stderr);
        Assert.Contains("2 questions: recall@10=1.0000 MRR=1.0000 nDCG@10=1.0000", eval.Stdout);
    }

    [Fact]
    public void Search_is_filtered_by_user_and_groups()
    {
        Write("corpus/public.md", "# Holidays\nThe office closes for holidays in August.");
        Write("corpus/hr/pay.md", "# Pay\nHoliday pay is doubled.");
        Write("corpus/hr/pay.md.meta.json", """{"groups": ["hr"]}""");
        Assert.Equal(0, LeverProcess.Run(_tmp.Root, "index", "add", "corpus", "--no-vectors").ExitCode);
        string[] Docs(params string[] extra) => SearchJson(["holiday", .. extra]).GetProperty("results").EnumerateArray().Select(r => r.GetProperty("doc").GetString()!).Order().ToArray();
        Assert.Equal(["public.md"], Docs());
        Assert.Equal(["public.md"], Docs("--user", "eve", "--groups", "sales,eng"));
        Assert.Equal(["hr/pay.md", "public.md"], Docs("--user", "eve", "--groups", "sales,hr"));
    }

    [Fact]
    public void Sync_after_changing_one_document_reindexes_only_it_and_search_finds_the_new_text()
    {
        for (int i = 0; i < 10; i++) Write($"corpus/d{i}.md", $"# Doc {i}\nAbout subject {i}.");
        Assert.Equal(0, LeverProcess.Run(_tmp.Root, "index", "add", "corpus", "--no-vectors").ExitCode);
        Write("corpus/d4.md", "# Doc 4\nNow about quasars.");
        var sync = LeverProcess.Run(_tmp.Root, "index", "sync");
        Assert.True(sync.ExitCode == 0, sync.Stdout + sync.Stderr);
        Assert.Contains("0 added, 1 updated, 9 unchanged, 0 removed", sync.Stdout);
        Assert.Equal(["re-indexed d4.md"], sync.Stdout.Split('\n').Where(l => l.StartsWith("re-indexed", StringComparison.Ordinal)).Select(l => l.Trim()));
        var hit = SearchJson("quasars").GetProperty("results").EnumerateArray().Single();
        Assert.Equal("d4.md", hit.GetProperty("doc").GetString());
    }

    [Fact]
    public void Kill_9_during_ingestion_leaves_the_last_consistent_state_and_the_next_run_finishes_the_job()
    {
        const int files = 400;
        for (int i = 0; i < files; i++) Write($"corpus/f{i:000}.txt", $"File number {i} mentions marker{i}.");
        var db = Path.Combine(_tmp.Root, ".lever", "indexes", "default", "index.db");

        var start = LeverProcess.StartInfo(_tmp.Root, "index", "add", "corpus", "--no-vectors", "--delay-ms", "15");
        using (var p = Process.Start(start)!)
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow.AddMinutes(2);
            // Wait until at least two batches are committed, then kill without warning (SIGKILL) mid-batch.
            while (CountDocuments(db) < 100)
            {
                Assert.False(p.HasExited, "ingest finished before it could be killed; raise --delay-ms");
                Assert.True(DateTime.UtcNow < deadline, "ingest made no progress");
                Thread.Sleep(50);
            }
            Thread.Sleep(300);
            p.Kill();
            p.WaitForExit();
            Assert.Equal(137, p.ExitCode);
        }

        var stats = LeverProcess.Run(_tmp.Root, "index", "stats", "--json");
        Assert.True(stats.ExitCode == 0, stats.Stdout + stats.Stderr);
        var s = JsonDocument.Parse(stats.Stdout).RootElement;
        int partial = s.GetProperty("documents").GetInt32();
        Assert.InRange(partial, 100, files - 1);
        Assert.Equal(0, s.GetProperty("inconsistent_documents").GetInt32());
        Assert.Equal(1, s.GetProperty("interrupted").GetArrayLength());
        // What was committed is searchable right away.
        Assert.Equal("f000.txt", SearchJson("marker0").GetProperty("results")[0].GetProperty("doc").GetString());

        var again = LeverProcess.Run(_tmp.Root, "index", "add", "corpus", "--no-vectors");
        Assert.True(again.ExitCode == 0, again.Stdout + again.Stderr);
        Assert.Contains($"{files - partial} added", again.Stdout);
        Assert.Contains($"{partial} unchanged", again.Stdout);
        var done = JsonDocument.Parse(LeverProcess.Run(_tmp.Root, "index", "stats", "--json").Stdout).RootElement;
        Assert.Equal(files, done.GetProperty("documents").GetInt32());
        Assert.Equal(0, done.GetProperty("interrupted").GetArrayLength());
        Assert.Equal("f399.txt", SearchJson("marker399").GetProperty("results")[0].GetProperty("doc").GetString());
    }

    [Fact]
    public async Task Sync_watch_reindexes_a_file_soon_after_it_changes()
    {
        Write("corpus/a.md", "# A\nalpha text");
        Write("corpus/b.md", "# B\nbeta text");
        Assert.Equal(0, LeverProcess.Run(_tmp.Root, "index", "add", "corpus", "--no-vectors").ExitCode);
        var start = LeverProcess.StartInfo(_tmp.Root, "index", "sync", "--watch");
        using var p = Process.Start(start)!;
        var lines = new System.Collections.Concurrent.BlockingCollection<string>();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Add(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Add(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        try
        {
            string? line;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            do { Assert.True(lines.TryTake(out line, TimeSpan.FromSeconds(60)), "no output from --watch"); } while (!line!.StartsWith("watching", StringComparison.Ordinal));
            await Task.Delay(200);
            Write("corpus/b.md", "# B\nbeta now mentions narwhals");
            do
            {
                Assert.True(DateTime.UtcNow < deadline, "the change was not picked up");
                Assert.True(lines.TryTake(out line, TimeSpan.FromSeconds(30)), "the change was not picked up");
            } while (!line!.StartsWith("re-indexed", StringComparison.Ordinal));
            Assert.Equal("re-indexed b.md", line.Trim());
        }
        finally
        {
            p.Kill();
            p.WaitForExit();
        }
        Assert.Equal("b.md", SearchJson("narwhals").GetProperty("results")[0].GetProperty("doc").GetString());
    }

    private static int CountDocuments(string db)
    {
        if (!File.Exists(db)) return 0;
        try
        {
            using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM documents";
            return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (SqliteException)
        {
            return 0; // not created yet
        }
    }

    [Fact]
    public void Ask_without_a_generator_prints_the_passages_with_citations_and_says_so()
    {
        Write("corpus/faq.md", "# FAQ\n## Refunds\nRefunds are issued within 14 days of a return.");
        Assert.Equal(0, LeverProcess.Run(_tmp.Root, "index", "add", "corpus", "--no-vectors").ExitCode);
        var r = LeverProcess.Run(_tmp.Root, "ask", "How long do refunds take?");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("No generator is configured", r.Stdout);
        Assert.Contains("[1] FAQ — faq.md § FAQ > Refunds [", r.Stdout);
        Assert.Contains("Refunds are issued within 14 days", r.Stdout);
    }

    [Fact]
    public void Search_without_an_index_and_a_bad_rule_file_are_user_errors()
    {
        var r = LeverProcess.Run(_tmp.Root, "search", "anything");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("lever index add", r.Stderr);
        Write("lever.yaml", "indexes:\n  default:\n    chunk_tokenz: 100\n");
        var bad = LeverProcess.Run(_tmp.Root, "index", "add", "corpus", "--no-vectors");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("lever.yaml:3", bad.Stderr);
        Assert.Contains("chunk_tokenz", bad.Stderr);
    }
}
