using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lever.Core;
using Lever.Retrieval.Internal;

namespace Lever.Retrieval.Ingestion;

/// <summary>
/// Finds and reads the documents under an ingested root: .txt, .md, .html/.htm and .jsonl (one document per
/// record). Metadata comes from a sidecar <c>&lt;file&gt;.meta.json</c> (<c>{"title","tags","users","groups"}</c>)
/// or else from the path rules of lever.yaml. A file that cannot be read or decoded is reported, not fatal.
/// </summary>
public sealed class DocumentReader
{
    /// <summary>Suffix of sidecar metadata files, which are never ingested themselves.</summary>
    public const string SidecarSuffix = ".meta.json";

    /// <summary>Largest .txt/.md/.html file read (a document over it is reported, not read whole into memory).</summary>
    public const long MaxDocumentBytes = 64L << 20;

    /// <summary>Largest .jsonl file read (one document per record; split bigger exports).</summary>
    public const long MaxJsonlBytes = 128L << 20;

    /// <summary>The principal that means "anyone may read this".</summary>
    public const string Everyone = "*";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly string[] Extensions = [".txt", ".md", ".markdown", ".html", ".htm", ".jsonl"];

    private readonly IndexOptions _options;
    private readonly List<Glob> _include;
    private readonly List<Glob> _exclude;
    private readonly List<(Glob Glob, PathRule Rule)> _rules;

    /// <summary>Creates a reader with the index's options (globs, rules, JSONL text field).</summary>
    public DocumentReader(IndexOptions options)
    {
        _options = options;
        _include = (options.Include ?? []).Select(g => new Glob(g)).ToList();
        _exclude = (options.Exclude ?? []).Select(g => new Glob(g)).ToList();
        _rules = (options.Rules ?? []).Select(r => (new Glob(r.Match), r)).ToList();
    }

    /// <summary>True for extensions Lever can ingest.</summary>
    public static bool IsSupported(string path) =>
        !path.EndsWith(SidecarSuffix, StringComparison.OrdinalIgnoreCase) && Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>Supported files under <paramref name="root"/> (a folder or a single file), in ordinal order of id.</summary>
    public IEnumerable<SourceFile> Enumerate(string root)
    {
        root = Path.GetFullPath(root);
        if (File.Exists(root))
        {
            yield return new SourceFile(Path.GetFileName(root), root);
            yield break;
        }
        if (!Directory.Exists(root))
            throw new LeverUserException($"{root}: no such file or folder", "give the folder that holds your documents");
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
        var files = Directory.EnumerateFiles(root, "*", options)
            .Where(IsSupported)
            .Select(f => new SourceFile(Path.GetRelativePath(root, f).Replace('\\', '/'), f))
            .Where(f => (_include.Count == 0 || _include.Any(g => g.IsMatch(f.RelativePath))) && !_exclude.Any(g => g.IsMatch(f.RelativePath)))
            .OrderBy(f => f.RelativePath, StringComparer.Ordinal)
            .ToList();
        foreach (var f in files) yield return f;
    }

    /// <summary>
    /// Reads one file. <paramref name="knownHash"/> gives the stored hash of a document id; a document whose hash
    /// matches is listed as unchanged without being parsed again.
    /// </summary>
    public ReadResult Read(SourceFile file, Func<string, string?>? knownHash = null)
    {
        byte[] bytes;
        FileMeta meta;
        try
        {
            var length = new FileInfo(file.FullPath).Length;
            var cap = file.FullPath.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? MaxJsonlBytes : MaxDocumentBytes;
            if (length > cap) return Issue(file, $"{length:N0} bytes, over the {cap >> 20} MiB a file may have; split it into smaller files");
            bytes = File.ReadAllBytes(file.FullPath);
            meta = ReadSidecar(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or LeverUserException)
        {
            return Issue(file, ex is LeverUserException ? ex.Message : $"cannot read: {ex.Message}");
        }
        if (Array.IndexOf(bytes, (byte)0, 0, Math.Min(bytes.Length, 8192)) >= 0) return Issue(file, "binary content (a NUL byte), not text");
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            // HTML may declare its own encoding (<meta charset="iso-8859-1">); honour that before giving up.
            if (DeclaredHtmlEncoding(file.FullPath, bytes) is not { } declared)
                return Issue(file, $"not valid UTF-8 text (byte {ex.Index} of the file); convert it to UTF-8");
            text = declared.GetString(bytes);
        }
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];

        var ext = Path.GetExtension(file.FullPath).ToLowerInvariant();
        if (ext == ".jsonl") return ReadJsonl(file, text, meta, knownHash);

        var (tags, principals) = Resolve(file.RelativePath, meta);
        var hash = Hash(bytes, tags, principals, meta.Title);
        if (knownHash?.Invoke(file.RelativePath) == hash) return new ReadResult([], [file.RelativePath], []);
        var fallback = Path.GetFileNameWithoutExtension(file.FullPath);
        string title, body;
        List<DocumentSection> sections;
        switch (ext)
        {
            case ".html" or ".htm":
                (title, body, sections) = HtmlExtractor.Extract(text, fallback);
                break;
            case ".md" or ".markdown":
                (title, body, sections) = MarkdownExtractor.Extract(text, fallback);
                break;
            default:
                body = text.ReplaceLineEndings("\n");
                title = FirstLineTitle(body) ?? fallback;
                sections = body.Trim().Length == 0 ? [] : [new DocumentSection("", 0, body.TrimEnd().Length)];
                break;
        }
        var doc = new ExtractedDocument(file.RelativePath, meta.Title ?? title, file.FullPath, body, sections, tags, principals, hash);
        return new ReadResult([doc], [], []);
    }

    private ReadResult ReadJsonl(SourceFile file, string text, FileMeta meta, Func<string, string?>? knownHash)
    {
        var docs = new List<ExtractedDocument>();
        var unchanged = new List<string>();
        var issues = new List<IngestIssue>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int lineNo = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNo++;
            var line = rawLine.TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(line)) continue;
            var where = $"{file.FullPath}:{lineNo}";
            JsonElement obj;
            try
            {
                using var parsed = JsonDocument.Parse(line);
                obj = parsed.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                issues.Add(new IngestIssue(where, $"invalid JSON ({ex.Message.Split(". ")[0]})"));
                continue;
            }
            if (obj.ValueKind != JsonValueKind.Object) { issues.Add(new IngestIssue(where, "expected a JSON object")); continue; }
            if (!obj.TryGetProperty(_options.TextField, out var textValue) || textValue.ValueKind != JsonValueKind.String)
            {
                issues.Add(new IngestIssue(where, $"field '{_options.TextField}' is missing or not a string (set text_field in lever.yaml indexes: to the field holding the text)"));
                continue;
            }
            var recordId = obj.TryGetProperty("id", out var idValue) && idValue.ValueKind is JsonValueKind.String or JsonValueKind.Number ? idValue.ToString() : lineNo.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var id = $"{file.RelativePath}#{recordId}";
            if (!seen.Add(id)) { issues.Add(new IngestIssue(where, $"duplicate id '{recordId}' in this file; the later record is skipped")); continue; }
            var recordMeta = meta with
            {
                Title = String(obj, "title") ?? meta.Title,
                Tags = Strings(obj, "tags") ?? meta.Tags,
                Users = Strings(obj, "users") ?? meta.Users,
                Groups = Strings(obj, "groups") ?? meta.Groups,
            };
            var (tags, principals) = Resolve(file.RelativePath, recordMeta);
            var hash = Hash(Encoding.UTF8.GetBytes(line), tags, principals, recordMeta.Title);
            if (knownHash?.Invoke(id) == hash) { unchanged.Add(id); continue; }
            var body = textValue.GetString()!.ReplaceLineEndings("\n");
            var title = recordMeta.Title ?? FirstLineTitle(body) ?? id;
            var sections = body.Trim().Length == 0 ? new List<DocumentSection>() : [new DocumentSection("", 0, body.TrimEnd().Length)];
            docs.Add(new ExtractedDocument(id, title, file.FullPath, body, sections, tags, principals, hash));
        }
        return new ReadResult(docs, unchanged, issues);
    }

    /// <summary>Tags and principals for a document: a sidecar or record wins; otherwise every matching rule adds its own.</summary>
    private (IReadOnlyList<string> Tags, IReadOnlyList<string> Principals) Resolve(string relativePath, FileMeta meta)
    {
        var tags = new SortedSet<string>(meta.Tags ?? [], StringComparer.Ordinal);
        var principals = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var u in meta.Users ?? []) principals.Add("u:" + u);
        foreach (var g in meta.Groups ?? []) principals.Add("g:" + g);
        bool explicitAcl = meta.Users is not null || meta.Groups is not null;
        foreach (var (glob, rule) in _rules)
        {
            if (!glob.IsMatch(relativePath)) continue;
            foreach (var t in rule.Tags ?? []) tags.Add(t);
            if (explicitAcl) continue;
            foreach (var u in rule.Users ?? []) principals.Add("u:" + u);
            foreach (var g in rule.Groups ?? []) principals.Add("g:" + g);
        }
        // Nobody named: the document is public. An explicit empty list in a sidecar means the same.
        if (principals.Count == 0) principals.Add(Everyone);
        return (tags.ToList(), principals.ToList());
    }

    private static FileMeta ReadSidecar(SourceFile file)
    {
        var path = file.FullPath + SidecarSuffix;
        if (!File.Exists(path)) return new FileMeta(null, null, null, null);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var o = doc.RootElement;
            if (o.ValueKind != JsonValueKind.Object) throw new LeverUserException($"{path}: expected a JSON object {{\"title\",\"tags\",\"users\",\"groups\"}}");
            foreach (var p in o.EnumerateObject())
                if (p.Name is not ("title" or "tags" or "users" or "groups"))
                    throw new LeverUserException($"{path}: unknown field '{p.Name}' (allowed: title, tags, users, groups)");
            return new FileMeta(String(o, "title"), Strings(o, "tags"), Strings(o, "users"), Strings(o, "groups"));
        }
        catch (JsonException ex)
        {
            // Never ingest a document whose permissions could not be read: it might be public by mistake.
            throw new LeverUserException($"{path}: invalid JSON ({ex.Message.Split(". ")[0]}); the document is skipped until it is fixed");
        }
    }

    private static string? String(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static List<string>? Strings(JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.String) return [v.GetString()!];
        if (v.ValueKind != JsonValueKind.Array) return null;
        return v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList();
    }

    private static string? FirstLineTitle(string body)
    {
        var first = body.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        return first is { Length: > 0 and <= 120 } ? first : null;
    }

    private static string Hash(byte[] content, IReadOnlyList<string> tags, IReadOnlyList<string> principals, string? title)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(content);
        sha.AppendData(Encoding.UTF8.GetBytes($"\0{string.Join(',', tags)}\0{string.Join(',', principals)}\0{title}"));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static Encoding? DeclaredHtmlEncoding(string path, byte[] bytes)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".html" or ".htm")) return null;
        var head = Encoding.ASCII.GetString(bytes, 0, Math.Min(bytes.Length, 4096));
        var m = System.Text.RegularExpressions.Regex.Match(head, @"charset\s*=\s*[""']?([A-Za-z0-9_\-:.]+)", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        if (!m.Success) return null;
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        try
        {
            var encoding = Encoding.GetEncoding(m.Groups[1].Value);
            return encoding.CodePage == Encoding.UTF8.CodePage ? null : encoding;
        }
        catch (ArgumentException)
        {
            return null; // an encoding .NET does not know: report the file as undecodable
        }
    }

    private static ReadResult Issue(SourceFile file, string reason) => new([], [], [new IngestIssue(file.FullPath, reason)]);

    private sealed record FileMeta(string? Title, List<string>? Tags, List<string>? Users, List<string>? Groups);
}
