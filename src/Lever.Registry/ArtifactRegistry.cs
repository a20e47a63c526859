using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Registry.Internal;
using Microsoft.Data.Sqlite;

namespace Lever.Registry;

/// <summary>
/// <c>.lever/registry.db</c> (SQLite, WAL): named artifacts with numbered, content-addressed versions, aliases with their
/// history (for rollback), lineage and attached evaluations. Every change is one SQLite transaction that also advances the
/// audit chain's head hash and line count and keeps the new audit line as pending; after the commit the line is appended to
/// <c>.lever/audit.jsonl</c> and fsynced, then the pending row is dropped. A crash in between leaves the line pending, and
/// the next open appends it — so the log is never behind the registry, and a tail cut later is caught by the count.
/// </summary>
public sealed class ArtifactRegistry : IDisposable
{
    /// <summary>File name of the database under .lever/.</summary>
    public const string FileName = "registry.db";

    private readonly SqliteConnection _db;
    private readonly string _lockPath;
    private SqliteTransaction? _tx;

    private ArtifactRegistry(Workspace workspace)
    {
        Workspace = workspace;
        Directory.CreateDirectory(workspace.StateDir);
        DatabasePath = Path.Combine(workspace.StateDir, FileName);
        AuditPath = AuditLog.PathOf(workspace);
        _lockPath = Path.Combine(workspace.StateDir, "registry.lock");
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        _db.Open();
        Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;");
        Exec("""
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS versions (name TEXT NOT NULL, version INTEGER NOT NULL, kind TEXT NOT NULL, sha256 TEXT NOT NULL,
                path TEXT NOT NULL, created TEXT NOT NULL, created_by TEXT NOT NULL, lineage TEXT NOT NULL,
                PRIMARY KEY (name, version), UNIQUE (name, sha256));
            CREATE TABLE IF NOT EXISTS aliases (name TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (name, alias));
            CREATE TABLE IF NOT EXISTS alias_history (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL, at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS evals (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, version INTEGER NOT NULL, at TEXT NOT NULL, record TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS audit_pending (seq INTEGER PRIMARY KEY, line TEXT NOT NULL);
            """);
        using var guard = Lock();
        Recover();
    }

    /// <summary>The workspace this registry belongs to.</summary>
    public Workspace Workspace { get; }

    /// <summary>Path of registry.db.</summary>
    public string DatabasePath { get; }

    /// <summary>Path of audit.jsonl.</summary>
    public string AuditPath { get; }

    /// <summary>Opens (creating if needed) the registry of <paramref name="workspace"/>, re-appending audit lines a crash left pending.</summary>
    public static ArtifactRegistry Open(Workspace workspace) => new(workspace);

    /// <summary>True when <paramref name="workspace"/> has a registry already.</summary>
    public static bool Exists(Workspace workspace) => File.Exists(Path.Combine(workspace.StateDir, FileName));

    /// <summary>The OS user recorded as "who" in the audit log.</summary>
    public static string User => string.IsNullOrEmpty(Environment.UserName) ? "unknown" : Environment.UserName;

    /// <summary>
    /// Registers the artifact at <paramref name="path"/> as the next version of <paramref name="name"/>, or returns the existing
    /// version with the same content (Created false). A name keeps one kind.
    /// </summary>
    public (ArtifactVersion Version, bool Created) Register(string name, string path, ArtifactKind kind, JsonObject? lineage = null)
    {
        ArtifactReference.CheckName(name);
        var full = Path.GetFullPath(path);
        var (sha, files) = ContentHash.Compute(full, kind);
        using var guard = Lock();
        if (Find(name, sha) is { } existing) return (existing, false);
        var kinds = Scalar<string>("SELECT kind FROM versions WHERE name = $n LIMIT 1", ("$n", name));
        if (kinds is not null && kinds != ArtifactKinds.Name(kind))
            throw new LeverUserException($"{name}: already registered as a {kinds}, not a {ArtifactKinds.Name(kind)}", $"register it under another name, or pass --kind {kinds}");
        lineage ??= [];
        lineage["files"] = files.Count;
        lineage["bytes"] = files.Sum(f => f.Bytes);
        var version = (int)(Scalar<long?>("SELECT MAX(version) FROM versions WHERE name = $n", ("$n", name)) ?? 0) + 1;
        var created = Now();
        var evt = new JsonObject
        {
            ["event"] = "register", ["name"] = name, ["version"] = version, ["kind"] = ArtifactKinds.Name(kind), ["sha256"] = sha, ["path"] = full,
            ["lineage"] = lineage.DeepClone(),
        };
        Change(evt, tx => Exec(tx, "INSERT INTO versions VALUES ($n, $v, $k, $s, $p, $c, $u, $l)",
            ("$n", name), ("$v", version), ("$k", ArtifactKinds.Name(kind)), ("$s", sha), ("$p", full), ("$c", created), ("$u", User), ("$l", lineage.ToJsonString())));
        return (Find(name, sha)!, true);
    }

    /// <summary>Every version of <paramref name="name"/> (or of every name), by name then version.</summary>
    public IReadOnlyList<ArtifactVersion> List(string? name = null)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT name, version, kind, sha256, path, created, created_by, lineage FROM versions" + (name is null ? "" : " WHERE name = $n") + " ORDER BY name, version";
        if (name is not null) cmd.Parameters.AddWithValue("$n", name);
        var list = new List<ArtifactVersion>();
        using (var r = cmd.ExecuteReader())
            while (r.Read()) list.Add(ReadVersion(r));
        var aliases = AliasMap();
        return [.. list.Select(v => v with { Aliases = aliases.TryGetValue((v.Name, v.Version), out var a) ? a : [] })];
    }

    /// <summary>The names registered, sorted.</summary>
    public IReadOnlyList<string> Names() => [.. List().Select(v => v.Name).Distinct()];

    /// <summary>The version <paramref name="reference"/> points at (a bare name: the latest); an unknown one is a user error.</summary>
    public ArtifactVersion Resolve(ArtifactReference reference)
    {
        var versions = List(reference.Name);
        if (versions.Count == 0)
        {
            var names = Names();
            throw new LeverUserException($"{reference}: no artifact named '{reference.Name}' in {DatabasePath}",
                names.Count > 0 ? $"registered names: {string.Join(", ", names)}" : "register one with `lever registry register NAME PATH`");
        }
        if (reference.Version is { } n)
            return versions.FirstOrDefault(v => v.Version == n)
                ?? throw new LeverUserException($"{reference}: {reference.Name} has versions v1..v{versions[^1].Version}", $"e.g. {reference.Name}@v{versions[^1].Version}");
        if (reference.Alias is { } alias)
            return versions.FirstOrDefault(v => v.Aliases.Contains(alias, StringComparer.Ordinal))
                ?? throw new LeverUserException($"{reference}: no version of {reference.Name} holds the alias '{alias}'",
                    $"promote one first: lever registry promote {reference.Name}@v{versions[^1].Version} --alias {alias}");
        return versions[^1];
    }

    /// <summary>The version currently holding <paramref name="alias"/> on <paramref name="name"/>, or null.</summary>
    public ArtifactVersion? Holder(string name, string alias) =>
        Scalar<long?>("SELECT version FROM aliases WHERE name = $n AND alias = $a", ("$n", name), ("$a", alias)) is { } v
            ? List(name).First(x => x.Version == (int)v) : null;

    /// <summary>Versions (of any name) whose content hash is <paramref name="sha256"/>.</summary>
    public IReadOnlyList<ArtifactVersion> FindByContent(string sha256) => [.. List().Where(v => v.Sha256 == sha256)];

    /// <summary>Points <paramref name="alias"/> at <paramref name="version"/>; <paramref name="gate"/> (the decision and its numbers) goes into the audit line.</summary>
    public void Promote(ArtifactVersion version, string alias, JsonObject? gate = null)
    {
        ArtifactReference.CheckAlias(alias);
        using var guard = Lock();
        var previous = Scalar<long?>("SELECT version FROM aliases WHERE name = $n AND alias = $a", ("$n", version.Name), ("$a", alias));
        var evt = new JsonObject
        {
            ["event"] = "promote", ["name"] = version.Name, ["alias"] = alias, ["version"] = version.Version, ["sha256"] = version.Sha256,
            ["previous"] = previous is { } p ? (int)p : null, ["gate"] = gate?.DeepClone(),
        };
        var at = Now();
        Change(evt, tx =>
        {
            Exec(tx, "INSERT INTO aliases VALUES ($n, $a, $v) ON CONFLICT(name, alias) DO UPDATE SET version = excluded.version", ("$n", version.Name), ("$a", alias), ("$v", version.Version));
            Exec(tx, "INSERT INTO alias_history (name, alias, version, at) VALUES ($n, $a, $v, $t)", ("$n", version.Name), ("$a", alias), ("$v", version.Version), ("$t", at));
        });
    }

    /// <summary>Records a refused promotion (the alias is left as it is) with the gate's numbers.</summary>
    public void RecordRefusal(ArtifactVersion version, string alias, JsonObject gate) =>
        RecordEvent("promote_refused", new JsonObject { ["name"] = version.Name, ["alias"] = alias, ["version"] = version.Version, ["gate"] = gate.DeepClone() });

    /// <summary>Moves <paramref name="alias"/> back to the version that held it before the current one; returns (from, to).</summary>
    public (int From, int To) Rollback(string name, string alias)
    {
        using var guard = Lock();
        var history = new List<(long Id, int Version)>();
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = "SELECT id, version FROM alias_history WHERE name = $n AND alias = $a ORDER BY id";
            cmd.Parameters.AddWithValue("$n", name);
            cmd.Parameters.AddWithValue("$a", alias);
            using var r = cmd.ExecuteReader();
            while (r.Read()) history.Add((r.GetInt64(0), r.GetInt32(1)));
        }
        if (history.Count == 0)
            throw new LeverUserException($"{name}@{alias}: the alias was never set", $"promote a version first: lever registry promote {name}@vN --alias {alias}");
        if (history.Count == 1)
            throw new LeverUserException($"{name}@{alias}: v{history[0].Version} is the only version that ever held it, so there is nothing to roll back to",
                $"promote another version instead: lever registry promote {name}@vN --alias {alias}");
        var from = history[^1].Version;
        var to = history[^2].Version;
        var evt = new JsonObject { ["event"] = "rollback", ["name"] = name, ["alias"] = alias, ["from"] = from, ["to"] = to };
        Change(evt, tx =>
        {
            Exec(tx, "DELETE FROM alias_history WHERE id = $i", ("$i", history[^1].Id));
            Exec(tx, "UPDATE aliases SET version = $v WHERE name = $n AND alias = $a", ("$v", to), ("$n", name), ("$a", alias));
        });
        return (from, to);
    }

    /// <summary>Attaches an evaluation (its run, set, metrics and interval) to <paramref name="version"/>.</summary>
    public void AttachEval(ArtifactVersion version, JsonObject record)
    {
        using var guard = Lock();
        var at = Now();
        record["at"] ??= at;
        var evt = new JsonObject { ["event"] = "eval", ["name"] = version.Name, ["version"] = version.Version, ["eval"] = record.DeepClone() };
        Change(evt, tx => Exec(tx, "INSERT INTO evals (name, version, at, record) VALUES ($n, $v, $t, $r)",
            ("$n", version.Name), ("$v", version.Version), ("$t", at), ("$r", record.ToJsonString())));
    }

    /// <summary>The evaluations attached to <paramref name="version"/>, oldest first.</summary>
    public IReadOnlyList<JsonObject> Evals(ArtifactVersion version)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT record FROM evals WHERE name = $n AND version = $v ORDER BY id";
        cmd.Parameters.AddWithValue("$n", version.Name);
        cmd.Parameters.AddWithValue("$v", version.Version);
        var list = new List<JsonObject>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) list.Add(JsonNode.Parse(r.GetString(0))!.AsObject());
        return list;
    }

    /// <summary>Appends an event that changes no table (a training run, a lab run, an index update, a refused promotion) to the audit chain.</summary>
    public void RecordEvent(string eventName, JsonObject data)
    {
        using var guard = Lock();
        var evt = new JsonObject { ["event"] = eventName };
        foreach (var (k, v) in data) evt[k] = v?.DeepClone();
        Change(evt, _ => { });
    }

    /// <summary>The registry's tables in the form a replay of the audit log produces.</summary>
    public RegistryState State()
    {
        var state = RegistryState.Empty();
        foreach (var v in List()) state.Versions[v.Reference] = $"{ArtifactKinds.Name(v.Kind)} {v.Sha256}";
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = "SELECT name, alias, version FROM aliases";
            using var r = cmd.ExecuteReader();
            while (r.Read()) state.Aliases[$"{r.GetString(0)}@{r.GetString(1)}"] = r.GetInt32(2);
        }
        return state with { Evals = (int)(Scalar<long?>("SELECT COUNT(*) FROM evals") ?? 0) };
    }

    /// <summary>The chain head the database holds: the last line's hash and the line count.</summary>
    public (string Head, int Count) AuditHead()
    {
        var head = Scalar<string>("SELECT value FROM meta WHERE key = 'audit_head'") ?? AuditLog.ZeroHash;
        var count = int.Parse(Scalar<string>("SELECT value FROM meta WHERE key = 'audit_count'") ?? "0", CultureInfo.InvariantCulture);
        return (head, count);
    }

    /// <summary>Audit lines the database committed but the log may not have yet (left by a crash), by sequence number.</summary>
    internal IReadOnlyList<(int Seq, string Line)> Pending()
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT seq, line FROM audit_pending ORDER BY seq";
        var list = new List<(int, string)>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) list.Add((r.GetInt32(0), r.GetString(1)));
        return list;
    }

    /// <inheritdoc/>
    public void Dispose() => _db.Dispose();

    /// <summary>One change: the tables, the new audit line (pending) and the chain head in one transaction; then the log.</summary>
    private void Change(JsonObject evt, Action<SqliteTransaction> apply)
    {
        var tx = _db.BeginTransaction();
        _tx = tx;
        try
        {
            apply(tx);
            var (head, count) = AuditHead();
            var seq = count + 1;
            var line = AuditLog.Line(seq, head, Now(), User, evt);
            Exec(tx, "INSERT INTO audit_pending VALUES ($s, $l)", ("$s", seq), ("$l", line));
            Exec(tx, "INSERT INTO meta VALUES ('audit_head', $h) ON CONFLICT(key) DO UPDATE SET value = excluded.value", ("$h", AuditLog.HashLine(line)));
            Exec(tx, "INSERT INTO meta VALUES ('audit_count', $c) ON CONFLICT(key) DO UPDATE SET value = excluded.value", ("$c", seq.ToString(CultureInfo.InvariantCulture)));
            CrashPoint.At("before-commit");
            tx.Commit();
        }
        finally
        {
            _tx = null;
            tx.Dispose();
        }
        CrashPoint.At("after-commit");
        Recover();
    }

    /// <summary>Appends each pending line the log lacks (dropping a partial tail a crash left), then forgets it.</summary>
    private void Recover()
    {
        foreach (var (seq, line) in Pending())
        {
            var (lines, partial, completeBytes) = AuditFile.Read(AuditPath);
            if (lines.Count >= seq && lines[seq - 1] == line)
            {
                Exec(null, "DELETE FROM audit_pending WHERE seq = $s", ("$s", seq));
                continue;
            }
            if (lines.Count != seq - 1) return; // the log is not where the database expects it: `lever audit verify` reports it
            if (partial) AuditFile.Truncate(AuditPath, completeBytes);
            AuditFile.Append(AuditPath, line);
            Exec(null, "DELETE FROM audit_pending WHERE seq = $s", ("$s", seq));
        }
    }

    private ArtifactVersion? Find(string name, string sha) => List(name).FirstOrDefault(v => v.Sha256 == sha);

    private Dictionary<(string, int), IReadOnlyList<string>> AliasMap()
    {
        var map = new Dictionary<(string, int), List<string>>();
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT name, version, alias FROM aliases ORDER BY alias";
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var key = (r.GetString(0), r.GetInt32(1));
            if (!map.TryGetValue(key, out var list)) map[key] = list = [];
            list.Add(r.GetString(2));
        }
        return map.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value);
    }

    private static ArtifactVersion ReadVersion(SqliteDataReader r) => new()
    {
        Name = r.GetString(0),
        Version = r.GetInt32(1),
        Kind = ArtifactKinds.Parse(r.GetString(2)),
        Sha256 = r.GetString(3),
        Path = r.GetString(4),
        Created = r.GetString(5),
        CreatedBy = r.GetString(6),
        Lineage = JsonNode.Parse(r.GetString(7)) as JsonObject ?? [],
    };

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    /// <summary>An exclusive lock on .lever/registry.lock for one change (the OS drops it when the process dies).</summary>
    private FileStream Lock()
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(_lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 600)
            {
                Thread.Sleep(50);
            }
        }
    }

    private void Exec(string sql) => Exec(null, sql);

    private void Exec(SqliteTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx ?? _tx;
        cmd.CommandText = sql;
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }

    private T? Scalar<T>(string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = _db.CreateCommand();
        cmd.Transaction = _tx;
        cmd.CommandText = sql;
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        var value = cmd.ExecuteScalar();
        if (value is null or DBNull) return default;
        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
    }
}
