using Lever.Evals.Cost;
using Lever.Lab.Data;
using Microsoft.Extensions.AI;

namespace Lever.Lab.Recipes.Provider.Internal;

/// <summary>
/// Classifies one email with a hosted chat model: a system instruction naming the labels, the examples (if any) as
/// earlier user/assistant turns, the email as the last user turn; the reply is parsed to a label and the call is
/// priced from the provider's measured token usage (cached input at its own price).
/// </summary>
internal sealed class HostedClassifier(IChatClient client, HostedModel model, IReadOnlyList<string> labels, Func<LabExample, IReadOnlyList<LabExample>>? examples,
    IDisposable? resources = null)
    : IConcurrentRecipeAnswerer
{
    /// <summary>What an answer that names no label becomes: outside the label set, so scored wrong and shown as "(invalid)".</summary>
    public const string Unparsed = "(unparsed)";

    public int MaxConcurrency => model.MaxConcurrency;

    public async ValueTask<LabelAnswer> AnswerAsync(LabExample example, CancellationToken ct)
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, Instruction(labels)) };
        foreach (var shot in examples?.Invoke(example) ?? [])
        {
            messages.Add(new ChatMessage(ChatRole.User, Turn(shot, model.Options.ShotChars)));
            messages.Add(new ChatMessage(ChatRole.Assistant, shot.Label));
        }
        messages.Add(new ChatMessage(ChatRole.User, Turn(example, model.Options.PromptChars)));
        var options = new ChatOptions { Temperature = (float?)model.Options.Temperature, MaxOutputTokens = model.Options.MaxOutputTokens };
        var response = await client.GetResponseAsync(messages, options, ct).ConfigureAwait(false);
        // No usage in the response (some servers omit it): the cost is unknown, not zero; the lab counts and reports these.
        double? cost = response.Usage is null ? null : CostCalculator.TokenCost(TokenUsage.From(response.Usage), model.Prices);
        return new LabelAnswer(LabelParser.Parse(response.Text, labels) ?? Unparsed, cost);
    }

    /// <summary>
    /// The system instruction. SpamAssassin's ham/spam (samples/spam) is about emails, with a one-line definition per
    /// class (the corpus's meaning, not a hint about any email); any other label set is a team's texts.
    /// </summary>
    public static string Instruction(IReadOnlyList<string> labels)
    {
        if (IsSpamLabels(labels))
            return $"You classify emails. Each user message is one email. Answer with exactly one of these labels: {string.Join(", ", labels)}. spam: unsolicited bulk or commercial email; ham: any other email, the kind the recipient wants. Reply with the label only, one word, nothing else.";
        return $"You classify texts. Each user message is one text. Answer with exactly one of these labels: {string.Join(", ", labels)}. Reply with the label only, nothing else.";
    }

    /// <summary>One email as a user turn: "Email:\n" and its text (subject and sender first), cut at <paramref name="chars"/>.</summary>
    public static string EmailTurn(LabExample email, int chars) =>
        "Email:\n" + (email.Text.Length > chars ? email.Text[..chars] : email.Text);

    /// <summary>One example as a user turn: an email for ham/spam data, else "Text:\n" and the text, cut at <paramref name="chars"/>.</summary>
    private string Turn(LabExample example, int chars) =>
        IsSpamLabels(labels) ? EmailTurn(example, chars) : "Text:\n" + (example.Text.Length > chars ? example.Text[..chars] : example.Text);

    private static bool IsSpamLabels(IReadOnlyList<string> labels) => labels.Count == 2 && labels.Contains("ham") && labels.Contains("spam");

    public void Dispose()
    {
        client.Dispose();
        resources?.Dispose();
    }
}
