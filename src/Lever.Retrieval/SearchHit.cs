namespace Lever.Retrieval;

/// <summary>
/// One result of a search, with everything a citation needs: document id, title, heading path, character span
/// in the document's text, and the document version it came from.
/// </summary>
/// <param name="Rank">1-based rank.</param>
/// <param name="DocId">Path relative to the ingested root.</param>
/// <param name="Title">Document title.</param>
/// <param name="Heading">Heading path of the chunk ("Chapter &gt; Section").</param>
/// <param name="Start">Start of the chunk in the document text.</param>
/// <param name="End">End (exclusive) of the chunk in the document text.</param>
/// <param name="Version">Document version (bumped each time the document changes).</param>
/// <param name="Score">Ranking score (BM25, cosine or fused RRF score, depending on the search).</param>
/// <param name="Text">The chunk's text.</param>
/// <param name="Source">Full path of the source file.</param>
public sealed record SearchHit(int Rank, string DocId, string Title, string Heading, int Start, int End, int Version, double Score, string Text, string Source)
{
    /// <summary>A short citation: <c>doc id § heading [start-end] v version</c>.</summary>
    public string Citation => $"{DocId}{(Heading.Length > 0 ? " § " + Heading : "")} [{Start}-{End}] v{Version}";
}
