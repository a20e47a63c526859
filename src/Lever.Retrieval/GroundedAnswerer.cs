using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Lever.Retrieval;

/// <summary>
/// Retrieval-augmented answering: search (with the caller's permissions), number the passages, and ask a chat
/// model to answer only from them with inline [n] citations. Without a chat client it returns the passages.
/// </summary>
public static partial class GroundedAnswerer
{
    /// <summary>Instructions given to the model.</summary>
    public const string SystemPrompt =
        "Answer the question using only the numbered passages. After each claim, cite the passage it comes from as [n]. " +
        "If the passages do not contain the answer, say that you do not know. Be concise.";

    /// <summary>Searches <paramref name="index"/> for <paramref name="question"/> and answers from the hits through <paramref name="chat"/> (or returns only the hits when it is null).</summary>
    public static async Task<GroundedAnswer> AskAsync(RetrievalIndex index, string question, SearchOptions options, IChatClient? chat,
        IEmbeddingGenerator<string, Embedding<float>>? embedder = null, CancellationToken cancellationToken = default)
    {
        var hits = await index.SearchAsync(question, options, embedder, cancellationToken).ConfigureAwait(false);
        if (chat is null || hits.Count == 0) return new GroundedAnswer(chat is null ? null : "I do not know: no passage matched the question.", hits, []);
        var response = await chat.GetResponseAsync(BuildMessages(question, hits), cancellationToken: cancellationToken).ConfigureAwait(false);
        var text = response.Text;
        return new GroundedAnswer(text, hits, CitedNumbers(text, hits.Count));
    }

    /// <summary>The chat messages: instructions, then the numbered passages with their citation and the question.</summary>
    public static List<ChatMessage> BuildMessages(string question, IReadOnlyList<SearchHit> hits)
    {
        var user = new StringBuilder();
        for (int i = 0; i < hits.Count; i++)
        {
            var h = hits[i];
            user.Append(CultureInfo.InvariantCulture, $"[{i + 1}] {h.Title}{(h.Heading.Length > 0 ? " — " + h.Heading : "")} ({h.DocId})\n{h.Text.Trim()}\n\n");
        }
        user.Append("Question: ").Append(question);
        return [new ChatMessage(ChatRole.System, SystemPrompt), new ChatMessage(ChatRole.User, user.ToString())];
    }

    /// <summary>Distinct [n] markers in <paramref name="answer"/> that point at one of <paramref name="passages"/> passages, in order of first use.</summary>
    public static List<int> CitedNumbers(string answer, int passages) =>
        Marker().Matches(answer).SelectMany(m => m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries))
            .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
            .Where(n => n >= 1 && n <= passages).Distinct().ToList();

    [GeneratedRegex(@"\[(\d+(?:\s*,\s*\d+)*)\]")]
    private static partial Regex Marker();
}
