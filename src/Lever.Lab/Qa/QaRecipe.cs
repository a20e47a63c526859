using Lever.Core.Levers;

namespace Lever.Lab.Qa;

/// <summary>
/// One way of answering the lab's questions: where passages come from (<see cref="Retrieval"/>) and who writes the answer
/// (the local extractive reader, or the configured chat model when <see cref="Hosted"/>).
/// </summary>
/// <param name="Name">Recipe name in reports.</param>
/// <param name="Lever">The lever it pulls (<see cref="LeverKind.Prompt"/> closed book, <see cref="LeverKind.Rag"/> with retrieval, <see cref="LeverKind.TrainFromScratch"/> for the model trained on the documents).</param>
/// <param name="Description">One line for the report.</param>
/// <param name="Retrieval">Where passages come from.</param>
/// <param name="Hosted">Answers come from the configured chat model.</param>
/// <param name="DocsModel">Answers come from the tiny model the lab trains on the documents (<see cref="DocsLanguageModel"/>).</param>
public sealed record QaRecipe(string Name, LeverKind Lever, string Description, QaRetrieval Retrieval, bool Hosted, bool DocsModel = false)
{
    /// <summary>Every QA recipe this build knows, in report order.</summary>
    public static IReadOnlyList<QaRecipe> All { get; } =
    [
        new("local-closed-book", LeverKind.Prompt, "no retrieval: the local reader has only the question, so it can only say it does not know", QaRetrieval.None, false),
        new("bm25-extractive", LeverKind.Rag, "BM25 top-k passages; the extractive reader picks the best sentence and cites its page", QaRetrieval.Bm25, false),
        new("hybrid-extractive", LeverKind.Rag, "BM25 + embeddings fused by RRF; the extractive reader answers", QaRetrieval.Hybrid, false),
        new("local-docs-lm", LeverKind.TrainFromScratch, "a tiny model trained on the documents' text answers closed book by greedy generation", QaRetrieval.None, false, DocsModel: true),
        new("provider-closed-book", LeverKind.Prompt, "the configured chat model answers from what it knows (no documents)", QaRetrieval.None, true),
        new("provider-rag-bm25", LeverKind.Rag, "BM25 top-k passages, numbered; the chat model answers only from them with [n] citations", QaRetrieval.Bm25, true),
        new("provider-rag-hybrid", LeverKind.Rag, "hybrid top-k passages; the chat model answers with [n] citations", QaRetrieval.Hybrid, true),
    ];

    /// <summary>
    /// The recipe's identity in its evaluation stage's hash: every field, as the record printed itself while the lever was
    /// a string (its snake_case name), so the answers cached by earlier runs stay valid.
    /// </summary>
    public string Fingerprint => $"QaRecipe {{ Name = {Name}, Lever = {LeverKinds.Name(Lever)}, Description = {Description}, Retrieval = {Retrieval}, Hosted = {Hosted}, DocsModel = {DocsModel} }}";

    /// <summary>Why this recipe cannot run with <paramref name="providers"/>, or null when it can.</summary>
    public string? Unavailable(QaProviders providers, bool trainModel) =>
        DocsModel && !trainModel ? "lab.qa.train_model is false (set it to true to train a tiny model on the documents and measure it)"
        : Hosted && providers.Chat is null ? providers.ChatMissing
        : Retrieval == QaRetrieval.Hybrid && providers.Embedder is null ? providers.EmbeddingMissing
        : null;
}
