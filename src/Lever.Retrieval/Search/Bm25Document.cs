namespace Lever.Retrieval.Search;

/// <summary>What BM25 indexes of one chunk: its text, heading path, document title and ACL set id.</summary>
public readonly record struct Bm25Document(string Text, string Heading, string Title, int AclId);
