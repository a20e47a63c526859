using Lever.Retrieval.Ingestion;

namespace Lever.Retrieval.Tests;

public sealed class IngestionTests
{
    private const string Page = """
        <!DOCTYPE html><html><head><title>20.11. Client Connection Defaults</title><style>p{color:red}</style></head>
        <body><div class="navheader"><a href="prev.html">Prev</a> Navigation noise</div>
        <h2>20.11. Client Connection Defaults</h2>
        <div class="toc"><dl><dt>20.11.1. Statement Behavior</dt></dl></div>
        <h3>20.11.1. Statement Behavior</h3>
        <dl><dt id="GUC-STATEMENT-TIMEOUT"><code>statement_timeout</code> (integer)</dt>
        <dd><p>Abort any statement that takes more than the specified amount of time.</p></dd>
        <dt><code>lock_timeout</code> (integer)</dt><dd><p>Abort any statement that waits longer than the specified time for a lock.</p></dd></dl>
        <h3>20.11.2. Locale and Formatting</h3><p>DateStyle sets the display format.</p>
        <script>var x = "script text";</script>
        <div class="navfooter">Footer noise</div></body></html>
        """;

    [Fact]
    public void Html_keeps_title_and_heading_structure_and_drops_navigation()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        dir.Write("runtime-config-client.html", Page);
        var reader = new DocumentReader(new IndexOptions());
        var file = reader.Enumerate(dir.Root).Single();
        var doc = reader.Read(file).Documents.Single();

        Assert.Equal("runtime-config-client.html", doc.Id);
        Assert.Equal("20.11. Client Connection Defaults", doc.Title);
        Assert.DoesNotContain("noise", doc.Text);
        Assert.DoesNotContain("script text", doc.Text);
        Assert.DoesNotContain("color:red", doc.Text);
        var paths = doc.Sections.Select(s => s.HeadingPath).ToList();
        Assert.Equal(
        [
            "20.11. Client Connection Defaults > 20.11.1. Statement Behavior > statement_timeout (integer)",
            "20.11. Client Connection Defaults > 20.11.1. Statement Behavior > lock_timeout (integer)",
            "20.11. Client Connection Defaults > 20.11.2. Locale and Formatting",
        ], paths);
        // The first section absorbed the headings above it that had no body of their own.
        var first = doc.Text[doc.Sections[0].Start..doc.Sections[0].End];
        Assert.StartsWith("20.11. Client Connection Defaults\n20.11.1. Statement Behavior\nstatement_timeout (integer)\nAbort any statement", first);
        Assert.Contains("DateStyle sets the display format.", doc.Text[doc.Sections[2].Start..doc.Sections[2].End]);
    }

    [Fact]
    public void Html_lists_that_are_mostly_links_are_navigation_and_left_out()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        var links = string.Concat(Enumerable.Range(0, 12).Select(i => $"<li><a href=\"p{i}.html\">Chapter {i} overview</a></li>"));
        var shortList = "<ul><li><a href=\"x.html\">See also X</a></li></ul>";
        dir.Write("page.html", $"<html><body><h1>Page</h1><p>Real content about indexes.</p><ul>{links}</ul>{shortList}<ul><li>plain item one</li><li>plain item two</li></ul></body></html>");
        var reader = new DocumentReader(new IndexOptions());
        var doc = reader.Read(reader.Enumerate(dir.Root).Single()).Documents.Single();
        Assert.Contains("Real content about indexes.", doc.Text);
        Assert.DoesNotContain("Chapter 3 overview", doc.Text);
        Assert.Contains("See also X", doc.Text);
        Assert.Contains("plain item two", doc.Text);
    }

    [Fact]
    public void Html_in_a_declared_legacy_encoding_is_decoded()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        var html = "<html><head><meta charset=\"iso-8859-1\"><title>Caf\u00e9</title></head><body><p>cr\u00e8me br\u00fbl\u00e9e</p></body></html>";
        File.WriteAllBytes(Path.Combine(dir.Root, "menu.html"), System.Text.Encoding.Latin1.GetBytes(html));
        var reader = new DocumentReader(new IndexOptions());
        var result = reader.Read(reader.Enumerate(dir.Root).Single());
        var doc = Assert.Single(result.Documents);
        Assert.Equal("Caf\u00e9", doc.Title);
        Assert.Contains("cr\u00e8me br\u00fbl\u00e9e", doc.Text);
    }

    [Fact]
    public void A_document_over_the_size_cap_is_reported_not_read_into_memory()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        using (var big = File.Create(Path.Combine(dir.Root, "huge.md"))) big.SetLength(DocumentReader.MaxDocumentBytes + 1);   // sparse: no disk used
        var reader = new DocumentReader(new IndexOptions());
        var result = reader.Read(reader.Enumerate(dir.Root).Single());
        Assert.Empty(result.Documents);
        Assert.Contains("over the 64 MiB a file may have", Assert.Single(result.Issues).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_sections_follow_atx_headings_but_not_hashes_inside_code_fences()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        dir.Write("guide.md", "# Guide\nIntro text.\n## Install\nRun it.\n```\n# not a heading\n```\n## Use\nCall it.\n");
        var reader = new DocumentReader(new IndexOptions());
        var doc = reader.Read(reader.Enumerate(dir.Root).Single()).Documents.Single();
        Assert.Equal("Guide", doc.Title);
        Assert.Equal(["Guide", "Guide > Install", "Guide > Use"], doc.Sections.Select(s => s.HeadingPath));
        Assert.Equal("## Install\nRun it.\n```\n# not a heading\n```", doc.Text[doc.Sections[1].Start..doc.Sections[1].End]);
    }

    [Fact]
    public void Jsonl_records_become_documents_with_their_metadata_and_bad_lines_are_reported()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        dir.Write("kb/faq.jsonl", """
            {"id": "q1", "text": "Reset your password from the login page.", "title": "Password reset", "tags": ["account"], "groups": ["support"]}
            {"text": "Invoices are emailed monthly."}
            not json
            {"id": "q3", "body": "wrong field"}
            """);
        var reader = new DocumentReader(new IndexOptions());
        var result = reader.Read(reader.Enumerate(dir.Root).Single());
        Assert.Equal(["kb/faq.jsonl#q1", "kb/faq.jsonl#2"], result.Documents.Select(d => d.Id));
        var q1 = result.Documents[0];
        Assert.Equal("Password reset", q1.Title);
        Assert.Equal(["account"], q1.Tags);
        Assert.Equal(["g:support"], q1.Principals);
        Assert.Equal([DocumentReader.Everyone], result.Documents[1].Principals);
        Assert.Equal(2, result.Issues.Count);
        Assert.EndsWith("faq.jsonl:3", result.Issues[0].Path);
        Assert.Contains("invalid JSON", result.Issues[0].Reason);
        Assert.EndsWith("faq.jsonl:4", result.Issues[1].Path);
        Assert.Contains("'text'", result.Issues[1].Reason);
    }

    [Fact]
    public async Task Undecodable_and_binary_files_are_reported_with_their_path_and_the_rest_is_ingested()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        dir.Write("docs/good.txt", "Kittens purr when content.");
        File.WriteAllBytes(Path.Combine(dir.Root, "docs", "latin1.txt"), [0x63, 0x61, 0x66, 0xE9, 0x20, 0xFF, 0xFE]);
        File.WriteAllBytes(Path.Combine(dir.Root, "docs", "binary.md"), [0x23, 0x20, 0x41, 0x00, 0x01]);
        using var index = RetrievalIndex.Open(dir.Sub("index"));
        var report = await index.AddAsync(Path.Combine(dir.Root, "docs"), new IndexOptions());
        Assert.Equal(1, report.Added);
        Assert.Equal(2, report.Issues.Count);
        Assert.Contains(report.Issues, i => i.Path.EndsWith("latin1.txt", StringComparison.Ordinal) && i.Reason.Contains("UTF-8", StringComparison.Ordinal));
        Assert.Contains(report.Issues, i => i.Path.EndsWith("binary.md", StringComparison.Ordinal) && i.Reason.Contains("binary", StringComparison.Ordinal));
        Assert.Equal("good.txt", index.Search("kittens").Single().DocId);
    }

    [Fact]
    public async Task Sidecar_and_path_rules_set_principals_and_tags()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        var corpus = dir.Sub("corpus");
        dir.Write("corpus/public/handbook.md", "# Handbook\nThe office opens at nine.");
        dir.Write("corpus/hr/salaries.md", "# Salaries\nThe salary bands are confidential.");
        dir.Write("corpus/hr/ceo.md", "# CEO\nThe CEO salary is set by the board.");
        dir.Write("corpus/hr/ceo.md.meta.json", """{"users": ["ceo"], "tags": ["board"]}""");
        var options = new IndexOptions { Rules = [new PathRule { Match = "hr/**", Groups = ["hr"], Tags = ["private"] }] };
        using var index = RetrievalIndex.Open(dir.Sub("index"));
        var report = await index.AddAsync(corpus, options);
        Assert.Equal(3, report.Added);

        Assert.Empty(index.Search("salary"));
        Assert.Equal(["hr/salaries.md"], index.Search("salary", new SearchOptions(Caller: new Caller("dana", ["hr"]))).Select(h => h.DocId));
        Assert.Equal(["hr/ceo.md"], index.Search("salary", new SearchOptions(Caller: new Caller("ceo"))).Select(h => h.DocId));
        Assert.Equal(["public/handbook.md"], index.Search("office nine", new SearchOptions(Caller: new Caller("ceo"))).Select(h => h.DocId));

        var reader = new DocumentReader(options);
        var ceo = reader.Read(reader.Enumerate(corpus).Single(f => f.RelativePath == "hr/ceo.md")).Documents.Single();
        Assert.Equal(["u:ceo"], ceo.Principals); // the sidecar's ACL wins over the rule's
        Assert.Equal(["board", "private"], ceo.Tags); // tags add up
    }

    [Fact]
    public void A_sidecar_that_is_not_valid_json_skips_its_document_instead_of_making_it_public()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        dir.Write("secret.txt", "launch codes");
        dir.Write("secret.txt.meta.json", "{ users: [oops ");
        var reader = new DocumentReader(new IndexOptions());
        var result = reader.Read(reader.Enumerate(dir.Root).Single());
        Assert.Empty(result.Documents);
        Assert.Contains("secret.txt.meta.json", result.Issues.Single().Reason);
    }
}
