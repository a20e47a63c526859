using System.CommandLine;
using System.Text.Json;
using Lever.Core;
using Lever.Evals.Running;
using Lever.Retrieval;
using Spectre.Console;

namespace Lever.Cli.Commands;

/// <summary><c>lever search "query"</c>: the best chunks of an index for a query, filtered by the caller's permissions.</summary>
internal sealed class SearchCommand : ILeverCommand
{
    public Command Create()
    {
        var query = new Argument<string>("query") { Description = "what to look for, in natural language or keywords" };
        var name = new Option<string?>("--name", "-n") { Description = $"index name (default: {RetrievalCli.DefaultIndexName})" };
        var k = new Option<int>("--k") { Description = "number of results", DefaultValueFactory = _ => 10 };
        var user = new Option<string?>("--user") { Description = "search as this user (without --user/--groups only public documents are searched)" };
        var groups = new Option<string?>("--groups") { Description = "comma-separated groups of the caller" };
        var json = new Option<bool>("--json") { Description = "print one JSON object {\"results\":[...]}" };
        var allChunks = new Option<bool>("--all-chunks") { Description = "list every matching chunk (default: the best chunk of each document)" };
        var mode = RetrievalCli.ModeOption();
        var command = new Command("search", "Search an index (hybrid BM25 + vectors when the index has vectors, else BM25; --mode chooses).") { query, name, k, user, groups, json, allChunks, mode };
        command.SetAction(async (parse, ct) =>
        {
            int top = parse.GetValue(k);
            if (top < 1) throw new LeverUserException($"--k {top}: must be at least 1", "pass --k 10");
            var (ws, options) = RetrievalCli.Load(parse.GetValue(name));
            using var index = RetrievalCli.OpenExisting(ws, parse.GetValue(name));
            var requested = SearchModes.Parse(parse.GetValue(mode), "--mode");
            using var embedder = requested == SearchMode.Lexical ? null : RetrievalCli.Embedder(ws, parse.GetValue(name), options, index);
            // Hybrid (BM25 + vectors, RRF) when the index has vectors and their model is available, else BM25.
            var used = index.ModeFor(requested, embedder is not null);
            var hits = await index.SearchAsync(parse.GetValue(query)!, new SearchOptions(top, RetrievalCli.Caller(parse.GetValue(user), parse.GetValue(groups)), used,
                MaxChunksPerDocument: parse.GetValue(allChunks) ? 0 : 1), embedder, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                Console.WriteLine(ToJson(hits, used));
                return 0;
            }
            if (hits.Count == 0)
            {
                Console.WriteLine("no results");
                return 0;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("#", "document", "heading", "score", "text");
            foreach (var h in hits)
                table.AddRow(h.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(h.DocId), Markup.Escape(RetrievalCli.Truncate(h.Heading, 50)),
                    h.Score.ToString("F2", System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(Snippet(h.Text, 160)));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    internal static string Snippet(string text, int n)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= n ? flat : flat[..n] + "…";
    }

    /// <summary>The documented JSON shape: {"mode":"bm25|vector|hybrid","results":[{"rank","doc","title","heading","span":[s,e],"score","text"}]}.</summary>
    internal static string ToJson(IReadOnlyList<SearchHit> hits, SearchMode mode)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("mode", SearchModes.Name(mode));
            w.WriteStartArray("results");
            foreach (var h in hits)
            {
                w.WriteStartObject();
                w.WriteNumber("rank", h.Rank);
                w.WriteString("doc", h.DocId);
                w.WriteString("title", h.Title);
                w.WriteString("heading", h.Heading);
                w.WriteStartArray("span");
                w.WriteNumberValue(h.Start);
                w.WriteNumberValue(h.End);
                w.WriteEndArray();
                w.WriteNumber("score", Math.Round(h.Score, 6));
                w.WriteString("text", h.Text);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
