using Lever.Evals.Internal;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Tests.TestModels;

/// <summary>
/// An extractive "reader": answers "What is X?" with Y from the context sentence "X is Y." that shares the most
/// words with the question, and "I don't know" when no sentence matches — a model that knows only its context.
/// </summary>
internal static class ContextReader
{
    public static string Answer(IReadOnlyList<ChatMessage> messages)
    {
        var question = TextNormalizer.Tokens(TextModel.LastUser(messages)).ToHashSet();
        var context = string.Join(" ", messages.Where(m => m.Role == ChatRole.System).Select(m => m.Text));
        string? best = null;
        int bestOverlap = 1;
        foreach (var sentence in context.Split(['.', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = sentence.Split(" is ", 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2) continue;
            int overlap = TextNormalizer.Tokens(parts[0]).Count(question.Contains);
            if (overlap > bestOverlap)
            {
                bestOverlap = overlap;
                best = parts[1];
            }
        }
        return best ?? "I don't know";
    }
}
