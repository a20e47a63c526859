using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Lever.Retrieval.Storage;

/// <summary>
/// The SQLite store behind an index: roots, documents, chunks (text, heading, span, optional vector) and a
/// generation counter. SQLite in WAL mode makes each batch commit atomic, so a process killed mid-ingest leaves
/// the last committed batch and never half a document; derived index files carry the generation they were
/// built from and are rebuilt when it differs.
/// </summary>
internal sealed class IndexStore : IDisposable
{
    private const int SchemaVersion = 1;
    private readonly SqliteConnection _db;

    public IndexStore(string path)
    {
        Path = path;
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _db.Open();
        Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;");
        Exec("""
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS roots(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, state TEXT NOT NULL, updated_utc TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS documents(
              id INTEGER PRIMARY KEY, root INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE, doc_id TEXT NOT NULL,
              title TEXT NOT NULL, source TEXT NOT NULL, version INTEGER NOT NULL, hash TEXT NOT NULL, tags TEXT NOT NULL,
              principals TEXT NOT NULL, chunk_count INTEGER NOT NULL, text TEXT NOT NULL, updated_utc TEXT NOT NULL,
              UNIQUE(root, doc_id));
            CREATE TABLE IF NOT EXISTS chunks(
              id INTEGER PRIMARY KEY, document INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE, ord INTEGER NOT NULL,
              heading TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, vector BLOB);
            CREATE INDEX IF NOT EXISTS chunks_document ON chunks(document);
            INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', '1'), ('generation', '0');
            """);
        // Added after schema 1 shipped: how many model windows a chunk's vector pools (null: 1, or no vector).
        if (Scalar<long>("SELECT count(*) FROM pragma_table_info('chunks') WHERE name='windows'") == 0)
            Exec("ALTER TABLE chunks ADD COLUMN windows INTEGER");
        var schema = Scalar<string>("SELECT value FROM meta WHERE key='schema'");
        if (schema != SchemaVersion.ToString(CultureInfo.InvariantCulture))
            throw new Lever.Core.LeverUserException($"{path}: index schema {schema} is not the one this Lever reads ({SchemaVersion})", "delete the index folder and run `lever index add` again");
    }

    public string Path { get; }

    public long Generation => long.Parse(Scalar<string>("SELECT value FROM meta WHERE key='generation'")!, CultureInfo.InvariantCulture);

    public SqliteTransaction Begin() => _db.BeginTransaction();

    /// <summary>Registers <paramref name="path"/> (or finds it) and marks it as being ingested.</summary>
    public long StartRoot(string path)
    {
        using var tx = Begin();
        Exec("INSERT INTO roots(path, state, updated_utc) VALUES ($p, 'ingesting', $t) ON CONFLICT(path) DO UPDATE SET state='ingesting', updated_utc=$t",
            tx, ("$p", path), ("$t", Now()));
        var id = Scalar<long>("SELECT id FROM roots WHERE path=$p", tx, ("$p", path));
        tx.Commit();
        return id;
    }

    public void FinishRoot(long root) => Exec("UPDATE roots SET state='ready', updated_utc=$t WHERE id=$r", null, ("$t", Now()), ("$r", root));

    public List<(long Id, string Path, string State)> Roots()
    {
        var list = new List<(long, string, string)>();
        using var cmd = Command("SELECT id, path, state FROM roots ORDER BY id");
        using var r = cmd.ExecuteReader();
        while (r.Read()) list.Add((r.GetInt64(0), r.GetString(1), r.GetString(2)));
        return list;
    }

    /// <summary>doc id → (row id, hash, version) for one root.</summary>
    public Dictionary<string, (long Row, string Hash, int Version)> Documents(long root)
    {
        var map = new Dictionary<string, (long, string, int)>(StringComparer.Ordinal);
        using var cmd = Command("SELECT doc_id, id, hash, version FROM documents WHERE root=$r", null, ("$r", root));
        using var r = cmd.ExecuteReader();
        while (r.Read()) map[r.GetString(0)] = (r.GetInt64(1), r.GetString(2), r.GetInt32(3));
        return map;
    }

    /// <summary>Replaces (or inserts) one document and its chunks inside <paramref name="tx"/>.</summary>
    public void WriteDocument(SqliteTransaction tx, long root, StoredDocument doc, IReadOnlyList<StoredChunk> chunks)
    {
        Exec("DELETE FROM documents WHERE root=$r AND doc_id=$d", tx, ("$r", root), ("$d", doc.DocId));
        Exec("""
            INSERT INTO documents(root, doc_id, title, source, version, hash, tags, principals, chunk_count, text, updated_utc)
            VALUES ($r, $d, $title, $src, $v, $h, $tags, $p, $n, $text, $t)
            """, tx, ("$r", root), ("$d", doc.DocId), ("$title", doc.Title), ("$src", doc.Source), ("$v", doc.Version), ("$h", doc.Hash),
            ("$tags", JsonSerializer.Serialize(doc.Tags)), ("$p", JsonSerializer.Serialize(doc.Principals)), ("$n", chunks.Count),
            ("$text", doc.Text), ("$t", Now()));
        long docRow = Scalar<long>("SELECT last_insert_rowid()", tx);
        using var insert = Command("INSERT INTO chunks(document, ord, heading, start, end, vector, windows) VALUES ($d, $o, $h, $s, $e, $v, $w)", tx);
        var pd = insert.Parameters.Add("$d", SqliteType.Integer);
        var po = insert.Parameters.Add("$o", SqliteType.Integer);
        var ph = insert.Parameters.Add("$h", SqliteType.Text);
        var ps = insert.Parameters.Add("$s", SqliteType.Integer);
        var pe = insert.Parameters.Add("$e", SqliteType.Integer);
        var pv = insert.Parameters.Add("$v", SqliteType.Blob);
        var pw = insert.Parameters.Add("$w", SqliteType.Integer);
        insert.Prepare();
        for (int i = 0; i < chunks.Count; i++)
        {
            pd.Value = docRow;
            po.Value = i;
            ph.Value = chunks[i].Heading;
            ps.Value = chunks[i].Start;
            pe.Value = chunks[i].End;
            pv.Value = chunks[i].Vector is { } v ? MemoryMarshal.AsBytes(v.AsSpan()).ToArray() : DBNull.Value;
            pw.Value = chunks[i].Vector is null ? DBNull.Value : chunks[i].Windows;
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>The chunks of document row <paramref name="docRow"/> that have a vector: (embedding text parts, vector, windows).</summary>
    public List<(string Title, string Heading, string Text, float[] Vector, int Windows)> DocumentVectors(long docRow)
    {
        var list = new List<(string, string, string, float[], int)>();
        using var cmd = Command("""
            SELECT d.title, c.heading, c.start, c.end, c.vector, coalesce(c.windows, 1), d.text FROM chunks c JOIN documents d ON d.id = c.document
            WHERE c.document = $d AND c.vector IS NOT NULL ORDER BY c.ord
            """, null, ("$d", docRow));
        using var r = cmd.ExecuteReader();
        while (r.Read())
            list.Add((r.GetString(0), r.GetString(1), r.GetString(6)[r.GetInt32(2)..r.GetInt32(3)], MemoryMarshal.Cast<byte, float>((byte[])r.GetValue(4)).ToArray(), r.GetInt32(5)));
        return list;
    }

    /// <summary>Up to <paramref name="limit"/> chunks without a vector, in row order: (row, title, heading, text).</summary>
    public List<(long Row, string Title, string Heading, string Text)> ChunksWithoutVectors(int limit)
    {
        var list = new List<(long, string, string, string)>();
        using var cmd = Command("""
            SELECT c.id, d.title, c.heading, c.start, c.end, d.text FROM chunks c JOIN documents d ON d.id = c.document
            JOIN roots r ON r.id = d.root WHERE c.vector IS NULL AND r.path NOT LIKE 'vectordata:%' ORDER BY c.id LIMIT $n
            """, null, ("$n", limit));
        using var r = cmd.ExecuteReader();
        while (r.Read()) list.Add((r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(5)[r.GetInt32(3)..r.GetInt32(4)]));
        return list;
    }

    /// <summary>How many chunks (outside VectorData records) have no vector.</summary>
    public int CountChunksWithoutVectors() => Scalar<int>("""
        SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document JOIN roots r ON r.id = d.root
        WHERE c.vector IS NULL AND r.path NOT LIKE 'vectordata:%'
        """);

    /// <summary>Sets the vector (and its window count) of chunk row <paramref name="row"/> inside <paramref name="tx"/>.</summary>
    public void SetVector(SqliteTransaction tx, long row, float[] vector, int windows) =>
        Exec("UPDATE chunks SET vector=$v, windows=$w WHERE id=$id", tx, ("$v", MemoryMarshal.AsBytes(vector.AsSpan()).ToArray()), ("$w", windows), ("$id", row));

    /// <summary>The width of the stored vectors (the first one's), or null when there is none.</summary>
    public int? VectorDimensions()
    {
        using var cmd = Command("SELECT length(vector) / 4 FROM chunks WHERE vector IS NOT NULL LIMIT 1");
        return cmd.ExecuteScalar() is long n ? (int)n : null;
    }

    /// <summary>Model windows over every chunk that has a vector (a chunk longer than the model's window counts several).</summary>
    public long Windows() => Scalar<long>("SELECT coalesce(sum(coalesce(windows, 1)), 0) FROM chunks WHERE vector IS NOT NULL");

    public void DeleteDocument(SqliteTransaction tx, long row) => Exec("DELETE FROM documents WHERE id=$id", tx, ("$id", row));

    public void BumpGeneration(SqliteTransaction tx) =>
        Exec("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key='generation'", tx);

    /// <summary>Every chunk in row-id order (a document's chunks are contiguous), with what BM25, vectors and ACLs need.</summary>
    public IEnumerable<ChunkRow> AllChunks(bool withText = true, bool withVectors = false)
    {
        var sql = $"""
            SELECT c.id, c.heading, c.start, c.end, d.title, d.principals, d.id, {(withVectors ? "c.vector" : "NULL")}, d.doc_id
            FROM chunks c JOIN documents d ON d.id = c.document ORDER BY c.id
            """;
        using var cmd = Command(sql);
        using var textCmd = Command("SELECT text FROM documents WHERE id=$id");
        var textId = textCmd.Parameters.Add("$id", SqliteType.Integer);
        long lastDoc = -1;
        string docText = "";
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            string text = "";
            if (withText)
            {
                long doc = r.GetInt64(6);
                if (doc != lastDoc)
                {
                    textId.Value = doc;
                    docText = (string)textCmd.ExecuteScalar()!;
                    lastDoc = doc;
                }
                int start = r.GetInt32(2), end = r.GetInt32(3);
                text = docText[start..end];
            }
            float[]? vector = r.IsDBNull(7) ? null : MemoryMarshal.Cast<byte, float>((byte[])r.GetValue(7)).ToArray();
            yield return new ChunkRow(r.GetInt64(0), r.GetString(8), r.GetString(1), r.GetString(4), r.GetString(5), text, vector);
        }
    }

    /// <summary>Hits for chunk row ids, in the order given (rows that no longer exist are left out).</summary>
    public List<(long Row, string DocId, string Title, string Heading, int Start, int End, int Version, string Text, string Source)> Fetch(IReadOnlyList<long> rows)
    {
        var found = new Dictionary<long, (long, string, string, string, int, int, int, string, string)>();
        if (rows.Count == 0) return [];
        var ids = string.Join(',', rows.Select(r => r.ToString(CultureInfo.InvariantCulture)));
        // Spans are UTF-16 offsets, so the text is cut here rather than with SQLite's substr (code points).
        using var cmd = Command($"""
            SELECT c.id, d.doc_id, d.title, c.heading, c.start, c.end, d.version, d.text, d.source
            FROM chunks c JOIN documents d ON d.id = c.document WHERE c.id IN ({ids})
            """);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            int start = r.GetInt32(4), end = r.GetInt32(5);
            found[r.GetInt64(0)] = (r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), start, end, r.GetInt32(6), r.GetString(7)[start..end], r.GetString(8));
        }
        return rows.Where(found.ContainsKey).Select(id => found[id]).ToList();
    }

    /// <summary>A record (document with one chunk) under the root named <paramref name="rootPath"/>.</summary>
    public (string Title, string Heading, string Text, string Principals, float[]? Vector)? GetRecord(string rootPath, string key)
    {
        using var cmd = Command("""
            SELECT d.title, c.heading, d.text, d.principals, c.vector FROM documents d JOIN roots r ON r.id = d.root
            JOIN chunks c ON c.document = d.id WHERE r.path = $p AND d.doc_id = $k ORDER BY c.ord LIMIT 1
            """, null, ("$p", rootPath), ("$k", key));
        using var r = cmd.ExecuteReader();
        if (!r.Read()) return null;
        float[]? vector = r.IsDBNull(4) ? null : MemoryMarshal.Cast<byte, float>((byte[])r.GetValue(4)).ToArray();
        return (r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), vector);
    }

    public (int Documents, int Chunks, int Vectors) Counts() =>
        (Scalar<int>("SELECT count(*) FROM documents"), Scalar<int>("SELECT count(*) FROM chunks"), Scalar<int>("SELECT count(*) FROM chunks WHERE vector IS NOT NULL"));

    /// <summary>Documents whose stored chunk count differs from their chunk rows: must be empty after any crash.</summary>
    public int InconsistentDocuments() =>
        Scalar<int>("SELECT count(*) FROM documents d WHERE d.chunk_count != (SELECT count(*) FROM chunks c WHERE c.document = d.id)");

    public string? Get(string key) => Scalar<string>("SELECT value FROM meta WHERE key=$k", null, ("$k", key));

    public void Set(string key, string value) => Exec("INSERT INTO meta(key, value) VALUES ($k, $v) ON CONFLICT(key) DO UPDATE SET value=$v", null, ("$k", key), ("$v", value));

    public void Dispose() => _db.Dispose();

    private static string Now() => DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    private SqliteCommand Command(string sql, SqliteTransaction? tx = null, params (string Name, object? Value)[] args)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        return cmd;
    }

    private void Exec(string sql, SqliteTransaction? tx = null, params (string, object?)[] args)
    {
        using var cmd = Command(sql, tx, args);
        cmd.ExecuteNonQuery();
    }

    private T? Scalar<T>(string sql, SqliteTransaction? tx = null, params (string, object?)[] args)
    {
        using var cmd = Command(sql, tx, args);
        var v = cmd.ExecuteScalar();
        return v is null or DBNull ? default : (T)Convert.ChangeType(v, typeof(T), CultureInfo.InvariantCulture);
    }
}

/// <summary>A document row to write.</summary>
internal sealed record StoredDocument(string DocId, string Title, string Source, int Version, string Hash, IReadOnlyList<string> Tags, IReadOnlyList<string> Principals, string Text);

/// <summary>A chunk row to write.</summary>
internal sealed record StoredChunk(string Heading, int Start, int End, float[]? Vector, int Windows = 1);

/// <summary>A chunk row read back for index building.</summary>
internal sealed record ChunkRow(long Row, string DocId, string Heading, string Title, string Principals, string Text, float[]? Vector);
