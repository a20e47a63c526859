namespace Lever.Lab.Tests;

/// <summary>
/// A dozen HTML pages written in the test, in the shape of a product manual: five pages plant one fact each, the rest
/// share their vocabulary (ports, defaults, sizes) without the fact, so a reader has to choose.
/// </summary>
internal static class QaSyntheticDocs
{
    public static readonly (string File, string Title, string Body)[] Pages =
    [
        ("zephyr-network.html", "Network settings", "<h2>zephyr_port (integer)</h2><p>The zephyr daemon listens on TCP port 7311 by default. Only one port can be given.</p><h2>zephyr_backlog (integer)</h2><p>The listen queue holds 64 pending connections.</p>"),
        ("zephyr-cache.html", "Cache settings", "<h2>cache_size (integer)</h2><p>Sets the memory used for the block cache. The default is typically sixteen megabytes, but might be less on small machines.</p><h2>cache_policy (enum)</h2><p>Blocks are evicted least recently used first.</p>"),
        ("zephyr-audit.html", "Audit logs", "<h2>Retention</h2><p>Audit records are kept for 90 days before the pruner removes them. Pruning runs nightly.</p>"),
        ("zephyr-snapshots.html", "Snapshots", "<h2>Compression</h2><p>Snapshots are compressed with the quokka codec, which trades speed for size. Uncompressed snapshots are never written.</p>"),
        ("zephyr-vacuum.html", "SWEEP", "<h2>Description</h2><p>SWEEP FULL rewrites every granule of the store into a new file, returning space to the operating system.</p><p>Plain SWEEP only marks space for reuse.</p>"),
        ("zephyr-clients.html", "Client defaults", "<h2>client_timeout (integer)</h2><p>Clients wait for a reply before giving up. A port number may be given per client.</p><p>The setting applies per session.</p>"),
        ("zephyr-limits.html", "Limits", "<p>Several limits apply to the daemon: connections per port, open files, and queue depth.</p><p>Limits are read at start.</p>"),
        ("zephyr-memory.html", "Memory", "<h2>work_area (integer)</h2><p>Memory for sorting before spilling to disk. Sorting uses the work area once per operation.</p><p>Caches are sized separately.</p>"),
        ("zephyr-release.html", "Release notes", "<p>Changed the default listen backlog. Added the quokka codec option. Fixed the audit pruner.</p><p>Improved cache statistics.</p>"),
        ("zephyr-intro.html", "Introduction", "<p>Zephyr is a small storage daemon. This manual describes its settings, its network port, its cache and its snapshots.</p>"),
        ("zephyr-backup.html", "Backups", "<p>Back up the store by taking a snapshot and copying it elsewhere. Restores read the snapshot back.</p>"),
        ("zephyr-glossary.html", "Glossary", "<dl><dt>granule</dt><dd>The unit of storage the daemon allocates.</dd><dt>daemon</dt><dd>The zephyr server process.</dd></dl>"),
    ];

    /// <summary>Questions: id, question, expected, gold page.</summary>
    public static readonly (string Id, string Input, string Expected, string Page)[] Questions =
    [
        ("z-1", "What TCP port does the zephyr daemon listen on by default?", "7311", "zephyr-network.html"),
        ("z-2", "What is the default value of cache_size?", "16MB", "zephyr-cache.html"),
        ("z-3", "How long are audit records kept?", "90 days", "zephyr-audit.html"),
        ("z-4", "Which codec compresses snapshots?", "quokka", "zephyr-snapshots.html"),
        ("z-5", "What does SWEEP FULL do to the store?", "rewrites every granule of the store into a new file", "zephyr-vacuum.html"),
    ];

    /// <summary>Creates a workspace (docs/, questions.jsonl, freshness.jsonl, lever.yaml); <paramref name="qa"/> replaces the lab.qa body.</summary>
    public static string CreateWorkspace(string? qa = null, string extraYaml = "")
    {
        var root = Directory.CreateTempSubdirectory("lever-qa-test").FullName;
        var docs = Directory.CreateDirectory(Path.Combine(root, "docs")).FullName;
        foreach (var (file, title, body) in Pages)
            File.WriteAllText(Path.Combine(docs, file), $"<!DOCTYPE html><html><head><title>{title}</title></head><body><div class=\"navheader\"><a href=\"index.html\">Home</a></div><h1>{title}</h1>{body}</body></html>");
        File.WriteAllLines(Path.Combine(root, "questions.jsonl"), Questions.Select(q =>
            $"{{\"id\": \"{q.Id}\", \"input\": \"{q.Input}\", \"expected\": \"{q.Expected}\", \"metadata\": {{\"page\": \"{q.Page}\"}}}}"));
        File.WriteAllLines(Path.Combine(root, "freshness.jsonl"),
        [
            "{\"question\": \"z-1\", \"page\": \"zephyr-network.html\", \"find\": \"TCP port 7311 by default\", \"replace\": \"TCP port 8422 by default\", \"expected_after\": \"8422\"}",
            "{\"question\": \"z-4\", \"page\": \"zephyr-snapshots.html\", \"find\": \"the quokka codec\", \"replace\": \"the wombat codec\", \"expected_after\": \"wombat\"}",
        ]);
        File.WriteAllText(Path.Combine(root, "lever.yaml"), $"""
            indexes:
              manual:
                path: docs
                include: ["*.html"]
                chunk_tokens: 60
                chunk_overlap: 10
            lab:
              task: qa
              compute:
                requests_per_month: 1000
              qa:
            {qa ?? "    index: manual\n    k: 3"}
            {extraYaml}
            """);
        return root;
    }
}
