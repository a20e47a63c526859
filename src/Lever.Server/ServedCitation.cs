namespace Lever.Server;

/// <summary>
/// One passage a served model's answer was grounded on: the document, its section and the character span in the
/// document. Written as <c>choices[].message.citations</c> (streaming: <c>choices[].delta.citations</c>), an additive
/// field on the OpenAI shape; <see cref="Index"/> is the <c>[n]</c> the answer cites it by.
/// </summary>
/// <param name="Index">1-based number of the passage in the model's context (what <c>[n]</c> in the answer refers to).</param>
/// <param name="Document">The document's id in the index (its path relative to the corpus).</param>
/// <param name="Section">The heading the passage sits under; empty when the document has none.</param>
/// <param name="Start">First character of the passage in the document.</param>
/// <param name="End">Character after the passage's last.</param>
/// <param name="Cited">True when the answer cites this passage as <c>[n]</c>.</param>
/// <param name="Score">The retrieval score.</param>
public sealed record ServedCitation(int Index, string Document, string Section, int Start, int End, bool Cited, double Score)
{
    /// <summary>
    /// The key of <see cref="Microsoft.Extensions.AI.ChatResponse.AdditionalProperties"/> (or a streaming update's) under
    /// which a citing model's chat client returns its <c>IReadOnlyList&lt;ServedCitation&gt;</c>.
    /// </summary>
    public const string PropertyName = "lever.citations";
}
