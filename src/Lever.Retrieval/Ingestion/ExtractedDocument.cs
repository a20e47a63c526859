namespace Lever.Retrieval.Ingestion;

/// <summary>
/// A document as read from disk: plain text, its sections (heading path + character span in <see cref="Text"/>)
/// and the metadata that travels with every chunk.
/// </summary>
/// <param name="Id">Path relative to the ingested root (with <c>#record</c> for a JSONL record), '/'-separated.</param>
/// <param name="Title">Title from the page, the first heading, a metadata field, or the file name.</param>
/// <param name="Source">Absolute path of the file it came from.</param>
/// <param name="Text">Plain text (HTML tags removed, whitespace collapsed).</param>
/// <param name="Sections">Non-overlapping spans of <see cref="Text"/> in order, each under one heading path.</param>
/// <param name="Tags">Tags from a sidecar file, the record or path rules.</param>
/// <param name="Principals">Who may read it: <c>*</c> (everyone), <c>u:NAME</c>, <c>g:NAME</c>.</param>
/// <param name="Hash">SHA-256 over the content and the metadata, so a change of either re-indexes the document.</param>
public sealed record ExtractedDocument(
    string Id, string Title, string Source, string Text, IReadOnlyList<DocumentSection> Sections,
    IReadOnlyList<string> Tags, IReadOnlyList<string> Principals, string Hash);
