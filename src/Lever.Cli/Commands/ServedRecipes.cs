using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Lever.Core;
using Lever.Core.Config;
using Lever.Evals.Composition;
using Lever.Evals.Data;
using Lever.Evals.Recipes;
using Lever.Evals.Retrieval;
using Lever.Evals.Running;
using Lever.Providers;
using Lever.Server;
using Microsoft.Extensions.AI;

namespace Lever.Cli.Commands;

/// <summary>
/// Recipes as served models (<c>lever serve --recipe R</c>): each recipe — a RAG recipe with its index, a prompt
/// template, a fine-tuned model or adapter — answers through Evals' <see cref="RecipeRunner"/>, exactly as <c>lever eval</c>
/// runs it, with the request's identity (from its API key, never from the body) as the retrieval caller.
/// </summary>
internal sealed partial class ServedRecipes : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly Workspace _ws;
    private readonly LeverConfig _config;
    private readonly ProviderRegistry _registry;
    private IRetriever? _retriever;
    private bool _retrieverOpened;

    public ServedRecipes(Workspace ws, LeverConfig config, ProviderRegistry registry)
    {
        _ws = ws;
        _config = config;
        _registry = registry;
    }

    /// <summary>The served model of recipe <paramref name="nameOrPath"/> (a name under recipes/, a file, or lever.yaml's recipes:).</summary>
    public ServedModel Load(string nameOrPath)
    {
        var recipe = RecipeLoader.Load(_ws, nameOrPath);
        // A missing index is said at startup, not as a 500 on the first question.
        if (recipe.Retrieval.Enabled && !File.Exists(Path.Combine(_ws.IndexesDir, recipe.Retrieval.Index!, Lever.Retrieval.RetrievalIndex.StoreFileName)))
            throw new LeverUserException($"recipe '{recipe.Name}' retrieves from index '{recipe.Retrieval.Index}', which does not exist in {_ws.Root}",
                $"build it first (`lever index add <folder> --name {recipe.Retrieval.Index}`), or serve another recipe");
        var services = RecipeServicesFactory.Create(recipe, _registry, RecipeServicesFactory.Settings(_config), recipe.Retrieval.Enabled ? Retriever() : null);
        if (services.Chat is { } chat) _owned.Add(chat);
        if (services.Embeddings is { } embeddings) _owned.Add(embeddings);
        var runner = new RecipeRunner(recipe, services);
        return new ServedModel { Id = recipe.Name, Cites = recipe.Retrieval.Enabled, ChatFor = caller => new RecipeChatClient(runner, caller) };
    }

    private IRetriever? Retriever()
    {
        if (!_retrieverOpened)
        {
            _retriever = RetrieverSources.Open(_ws, _config, _registry);
            if (_retriever is IDisposable d) _owned.Add(d);
            _retrieverOpened = true;
        }
        return _retriever;
    }

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
    }

    /// <summary>
    /// A passage as a citation. The index retriever names a passage <c>doc#start-end</c> and gives its source as
    /// SearchHit.Citation, <c>doc § heading [start-end] vN</c>: the document and span come from the first, the section from the second.
    /// </summary>
    internal static ServedCitation Citation(RetrievedPassage passage, int index, string answer)
    {
        var hash = passage.Id.LastIndexOf('#');
        var document = hash > 0 ? passage.Id[..hash] : passage.Id;
        int start = 0, end = 0;
        if (hash > 0 && passage.Id[(hash + 1)..].Split('-') is [var s, var e])
        {
            _ = int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out start);
            _ = int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out end);
        }
        var section = "";
        if (passage.Source is { } source && source.StartsWith(document + " § ", StringComparison.Ordinal))
        {
            var rest = source[(document.Length + 3)..];
            var bracket = rest.LastIndexOf(" [", StringComparison.Ordinal);
            section = bracket >= 0 ? rest[..bracket] : rest;
        }
        var cited = CitationMarks().Matches(answer).SelectMany(m => m.Groups[1].Value.Split(',')).Any(n => n.Trim() == index.ToString(CultureInfo.InvariantCulture));
        return new ServedCitation(index, document, section, start, end, cited, passage.Score);
    }

    [GeneratedRegex(@"\[(\d+(?:\s*,\s*\d+)*)\]")]
    private static partial Regex CitationMarks();

    /// <summary>One request's view of a recipe: the conversation as an eval item asked by <paramref name="caller"/>.</summary>
    private sealed class RecipeChatClient(RecipeRunner runner, ServerIdentity caller) : IChatClient
    {
        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            // The recipe decides the model, prompt and generation settings; the request brings the question, and its key the
            // caller. The request's max_tokens caps the recipe's (a client's budget is honoured; the recipe's is never exceeded).
            var list = messages.ToList();
            var single = list.Count == 1 && list[0].Role == ChatRole.User;
            var item = new EvalItem
            {
                Id = "served",
                Hash = "",
                Input = single ? list[0].Text : null,
                Messages = single ? [] : list.Select(m => new EvalMessage(m.Role.Value, m.Text)).ToList(),
                User = caller.User,
                Groups = caller.Groups,
            };
            var cap = options?.MaxOutputTokens;
            var answer = await runner.AnswerAsync(item, cap is > 0 ? cap : null, cancellationToken).ConfigureAwait(false);
            var limit = cap is > 0 ? Math.Min(cap.Value, runner.Recipe.Generation.MaxTokens) : runner.Recipe.Generation.MaxTokens;
            var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, answer.Raw))
            {
                ModelId = runner.Recipe.Name,
                FinishReason = answer.Usage.Output >= limit ? ChatFinishReason.Length : ChatFinishReason.Stop,
                Usage = new UsageDetails
                {
                    InputTokenCount = answer.Usage.Input,
                    CachedInputTokenCount = answer.Usage.CachedInput,
                    OutputTokenCount = answer.Usage.Output,
                    TotalTokenCount = answer.Usage.Input + answer.Usage.Output,
                },
            };
            if (runner.Recipe.Retrieval.Enabled)
                response.AdditionalProperties = new() { [ServedCitation.PropertyName] = answer.Passages.Select((p, i) => Citation(p, i + 1, answer.Raw)).ToList() };
            return response;
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            // The recipe runner answers whole: one update with the text and citations, then the usage.
            var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            yield return new ChatResponseUpdate(ChatRole.Assistant, response.Text) { AdditionalProperties = response.AdditionalProperties, ModelId = response.ModelId };
            yield return new ChatResponseUpdate { Contents = [new UsageContent(response.Usage!)], FinishReason = ChatFinishReason.Stop };
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
