namespace Lever.Server;

/// <summary>What a key may do on the server; each endpoint (and each citing model) requires one.</summary>
public enum ServerScope
{
    /// <summary>POST /v1/chat/completions.</summary>
    Chat,

    /// <summary>POST /v1/embeddings.</summary>
    Embeddings,

    /// <summary>Models that retrieve from an index (served RAG recipes): the caller's identity decides what is read.</summary>
    Retrieval,

    /// <summary>Endpoints under /v1/admin/ (identities) and the fine-tuning API (/v1/files, /v1/fine_tuning/jobs); adapter loading and registry changes later.</summary>
    Admin,
}
