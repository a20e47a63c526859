namespace Lever.Retrieval;

/// <summary>Progress of an ingest: files looked at out of the total found, and the file being read.</summary>
public readonly record struct IngestProgress(int FilesDone, int FilesTotal, string Current);
