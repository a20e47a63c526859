using Lever.Evals.Data;
using Lever.Evals.Running;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Diagnosis;

/// <summary>
/// Optional LLM judge for failures the heuristics cannot place: it sees the question, the reference answer, the
/// model's answer and the context it had, and replies with one category word and a reason. Greedy decoding.
/// </summary>
public sealed class DiagnosisJudge(IChatClient judge)
{
    /// <summary>The judged category and reason, or null when the reply names no category.</summary>
    public async Task<FailureDiagnosis?> ClassifyAsync(EvalItem item, RecipeAnswer answer, CancellationToken cancellationToken = default)
    {
        var context = PromptBuilder.VisibleText(answer.Prompt);
        if (context.Length > 4000) context = context[..4000] + "…";
        var prompt = $"""
            A model answered a question wrongly. Say why, with exactly one word first:
            knowledge (the facts needed were not in its context), behaviour (right content, wrong format or style),
            prompt (the instruction was unclear or not followed; examples would fix it), capability (it cannot do this task).
            Then a short reason on the same line.

            Context the model saw:
            {context}

            Question: {item.QueryText}
            Reference answer: {item.ExpectedText}
            Model answer: {answer.Raw}
            """;
        var response = await judge.GetResponseAsync([new ChatMessage(ChatRole.User, prompt)], new ChatOptions { Temperature = 0, MaxOutputTokens = 60 }, cancellationToken).ConfigureAwait(false);
        var text = response.Text.Trim();
        var first = text.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim(' ', ':', '.', ',', '*').ToLowerInvariant();
        var category = first switch
        {
            "knowledge" => FailureCategory.Knowledge,
            "behaviour" or "behavior" => FailureCategory.Behaviour,
            "prompt" => FailureCategory.Prompt,
            "capability" => FailureCategory.Capability,
            _ => null,
        };
        if (category is null) return null;
        var reason = text.Length > first!.Length ? text[first.Length..].Trim(' ', ':', '-', '—') : "(no reason given)";
        return new FailureDiagnosis(category, reason.Length > 200 ? reason[..200] + "…" : reason, FailureCategory.LeverFor(category));
    }
}
