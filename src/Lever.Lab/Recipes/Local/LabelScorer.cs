using Lever.Engine.Generation;
using Lever.Engine.Tokenizers;
using Lever.Lab.Data;
using Lever.Providers;

namespace Lever.Lab.Recipes.Local;

/// <summary>
/// Classifies by label likelihood (as lm-eval-harness scores multiple choice): the prompt is the email followed by
/// "Label:", each class name is a continuation, and the answer is the class whose tokens the model finds most likely.
/// Nothing is generated, so the answer is always a valid label. With calibration (Zhao et al. 2021, "Calibrate Before
/// Use"), each label's log-probability on content-free inputs ("N/A", "", "[MASK]") after the same prefix is subtracted
/// first: the model's prior for a label, whatever the email, no longer decides the answer.
/// </summary>
internal sealed class LabelScorer : IRecipeAnswerer
{
    /// <summary>The content-free inputs of Zhao et al. 2021 (§5), averaged in probability space.</summary>
    public static readonly IReadOnlyList<string> ContentFree = ["N/A", "", "[MASK]"];

    private readonly TextGenerator? _generator;
    private readonly IContinuationScorer? _backend;
    private readonly IReadOnlyList<string> _labels;
    private readonly string _prefix;
    private readonly Func<LabExample, CancellationToken, ValueTask<string>>? _examplePrefix;
    private readonly LabelPrompt _prompts;
    private readonly double[]? _bias;

    /// <summary>
    /// Loads the model; <paramref name="prefix"/> (fixed few-shot examples) and <paramref name="examplePrefix"/>
    /// (examples chosen per query, e.g. retrieved) are built from the model's tokenizer. With <paramref name="backend"/>
    /// (llama.cpp on the model's GGUF export, owned by this scorer from now on) the label log-probabilities come from it,
    /// the prompts from the checkpoint's tokenizer as on the engine.
    /// </summary>
    public LabelScorer(string modelDirectory, IReadOnlyList<string> labels, int promptChars, int maxPromptTokens, Func<ModelTokenizer, string>? prefix = null,
        bool calibrate = false, Func<ModelTokenizer, Func<LabExample, CancellationToken, ValueTask<string>>>? examplePrefix = null,
        IContinuationScorer? backend = null)
    {
        if (calibrate && examplePrefix is not null) throw new ArgumentException("calibration needs a fixed prefix", nameof(calibrate));
        _backend = backend;
        _generator = backend is null ? TextGenerator.Load(modelDirectory) : null;
        var tokenizer = _generator?.Tokenizer ?? ModelTokenizer.Load(modelDirectory);
        _labels = labels;
        _prompts = new LabelPrompt(tokenizer, promptChars, maxPromptTokens);
        _prefix = prefix?.Invoke(tokenizer) ?? "";
        _examplePrefix = examplePrefix?.Invoke(tokenizer);
        if (calibrate)
        {
            // Mean of the normalized label distributions over the content-free inputs, in log space: the bias to remove.
            var mean = new double[labels.Count];
            foreach (var input in ContentFree)
            {
                var p = Normalize(LogProbabilities(_prefix + input + LabelPrompt.Cue));
                for (var i = 0; i < mean.Length; i++) mean[i] += Math.Exp(p[i]) / ContentFree.Count;
            }
            _bias = mean.Select(m => Math.Log(m)).ToArray();
        }
    }

    /// <summary>The calibration bias (log of the mean content-free label probabilities), or null when not calibrating.</summary>
    public IReadOnlyList<double>? Bias => _bias;

    public async ValueTask<LabelAnswer> AnswerAsync(LabExample example, CancellationToken ct)
    {
        var prefix = _examplePrefix is null ? _prefix : await _examplePrefix(example, ct).ConfigureAwait(false);
        var scores = LogProbabilities(prefix + _prompts.Prompt(example), ct);
        return new LabelAnswer(_labels[Pick(scores, _bias)]);
    }

    /// <summary>
    /// The class with the highest (calibrated) score: with a bias, argmax of log p(label|x) − log p_cf(label), which is
    /// Zhao et al.'s W = diag(p_cf)⁻¹ on the normalized probabilities (normalizing adds the same constant to every class).
    /// </summary>
    public static int Pick(IReadOnlyList<double> logProbabilities, IReadOnlyList<double>? bias)
    {
        var best = 0;
        for (var i = 1; i < logProbabilities.Count; i++)
            if (Score(i) > Score(best)) best = i;
        return best;

        double Score(int i) => logProbabilities[i] - (bias?[i] ?? 0);
    }

    /// <summary>log p(label continuation | prompt) for each label, in label order, from the backend this scorer runs on.</summary>
    internal double[] LogProbabilities(string prompt, CancellationToken ct = default)
    {
        var items = _labels.Select(l => (prompt, LabelPrompt.Continuation(l))).ToList();
        return _backend is not null
            ? _backend.Score(items, ct).ToArray()
            : _generator!.Score(items, batchSize: _labels.Count, ct).Select(s => s.LogProbability).ToArray();
    }

    private static double[] Normalize(double[] logp)
    {
        var max = logp.Max();
        var log = max + Math.Log(logp.Sum(v => Math.Exp(v - max)));
        return logp.Select(v => v - log).ToArray();
    }

    public void Dispose()
    {
        _generator?.Dispose();
        _backend?.Dispose();
    }
}
