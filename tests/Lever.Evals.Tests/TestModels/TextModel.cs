using Microsoft.Extensions.AI;

namespace Lever.Evals.Tests.TestModels;

/// <summary>
/// A deterministic chat model for tests: a function from the conversation to an answer, with usage counted as
/// whitespace tokens of the prompt and the answer, and a call counter (to prove caching and resume skip calls).
/// </summary>
internal class TextModel : ScriptedChatClient
{
    public TextModel(Func<IReadOnlyList<ChatMessage>, string> answer)
        : base(answer) => Usage = WordUsage;

    public static int Count(string? text) => Words(text).Length;
}
