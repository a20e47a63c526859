using Lever.Evals.Data;
using Lever.Evals.Recipes;
using Lever.Evals.Running;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Tests;

/// <summary>A caller's max_tokens (a served recipe's request) caps the recipe's own, and never raises it.</summary>
public sealed class RecipeRunnerCapTests
{
    [Theory]
    [InlineData(null, 256)]
    [InlineData(8, 8)]
    [InlineData(1000, 256)]
    public async Task The_callers_cap_is_the_smaller_of_its_own_and_the_recipes(int? cap, int expected)
    {
        var chat = new OptionsRecorder();
        var runner = new RecipeRunner(new Recipe { Name = "r" }, new RecipeServices { Chat = chat });
        var answer = await runner.AnswerAsync(new EvalItem { Id = "q", Hash = "", Input = "hi" }, cap, CancellationToken.None);
        Assert.Equal("ok", answer.Raw);
        Assert.Equal(expected, chat.Seen!.MaxOutputTokens);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => runner.AnswerAsync(new EvalItem { Id = "q", Hash = "", Input = "hi" }, 0, CancellationToken.None));
    }

    internal sealed class OptionsRecorder : IChatClient
    {
        public ChatOptions? Seen { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Seen = options;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
