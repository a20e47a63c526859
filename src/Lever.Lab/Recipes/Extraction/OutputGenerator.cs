using Lever.Engine.Generation;
using Lever.Engine.Tokenizers;
using Lever.Lab.Data;

namespace Lever.Lab.Recipes.Extraction;

/// <summary>
/// Answers an extraction by greedy generation on a local model: the (optional, per-query) examples, the input's
/// prompt, then at most <c>maxOutputTokens</c> tokens up to the first newline. The context left for the input is the
/// sequence length minus the examples and the output's room.
/// </summary>
internal sealed class OutputGenerator : IRecipeAnswerer
{
    private readonly TextGenerator _generator;
    private readonly OutputPrompt _prompts;
    private readonly GenerationOptions _options;
    private readonly Func<LabExample, CancellationToken, ValueTask<string>>? _prefix;

    public OutputGenerator(string modelDirectory, int promptChars, int promptTokens, int maxOutputTokens,
        Func<ModelTokenizer, Func<LabExample, CancellationToken, ValueTask<string>>>? prefix = null)
    {
        _generator = TextGenerator.Load(modelDirectory);
        _prompts = new OutputPrompt(_generator.Tokenizer, promptChars, promptTokens);
        _prefix = prefix?.Invoke(_generator.Tokenizer);
        // Greedy and seeded: the same model gives the same answers on every run.
        _options = new GenerationOptions { MaxTokens = maxOutputTokens, StopSequences = ["\n"], Seed = 0, UsePrefixCache = false };
    }

    public async ValueTask<LabelAnswer> AnswerAsync(LabExample example, CancellationToken ct)
    {
        var prefix = _prefix is null ? "" : await _prefix(example, ct).ConfigureAwait(false);
        var result = _generator.Generate(prefix + _prompts.Prompt(example), _options, ct);
        return new LabelAnswer(result.Text.Split('\n', 2)[0].Trim());
    }

    /// <summary>
    /// Room for an answer: the longest training output in tokens, plus a quarter and the newline, at most half the
    /// sequence (a model that never stops is cut there, and scored on what it wrote).
    /// </summary>
    public static int OutputTokens(ModelTokenizer tokenizer, IEnumerable<LabExample> train, int seqLen)
    {
        var longest = train.Select(e => tokenizer.Encode(OutputPrompt.Continuation(e.Label), addBos: false).Count).DefaultIfEmpty(8).Max();
        return Math.Clamp(longest + longest / 4 + 1, 4, Math.Max(4, seqLen / 2));
    }

    public void Dispose() => _generator.Dispose();
}
