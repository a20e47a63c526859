namespace Lever.Server.FineTuning.Internal;

/// <summary>An uploaded file's metadata (files/&lt;id&gt;.json); its bytes are files/&lt;id&gt;.jsonl.</summary>
internal sealed record StoredFile(string Id, long Bytes, long CreatedAt, string Filename, string Purpose, int Examples, string? Format, long Sequence);
