// The lab's own model sized from the data and the time budget (docs/LAB.md, "Sizing the lab's model"). Pure: the
// same (rows, mean tokens, budget) give the same size on every machine, so a run is reproducible; the throughputs are
// constants measured once on this project's 2-core machine, not read at run time.
using System.Globalization;
using Lever.Engine.Modules;

namespace Lever.Lab.Recipes.Local;

/// <summary>What <see cref="LocalModelSizing.Size"/> chose, with the numbers behind it.</summary>
/// <param name="Rows">The training rows it was sized for.</param>
/// <param name="MeanTokens">Their mean tokens.</param>
/// <param name="BudgetSeconds">The lab's budget.</param>
/// <param name="Preset">tiny, small or base.</param>
/// <param name="PretrainSteps">Pre-training optimizer steps.</param>
/// <param name="FineTuneSteps">Steps of each full fine-tune (the search's longest run: it keeps the best validation checkpoint).</param>
/// <param name="LoraSteps">Steps of each LoRA run (twice the full fine-tune's: its adapters start at zero).</param>
/// <param name="BatchSize">Sequences per step.</param>
/// <param name="SeqLen">Tokens per training sequence.</param>
/// <param name="TokensPerParameter">Pre-training tokens seen per parameter of the chosen preset.</param>
/// <param name="PretrainEpochs">Passes of pre-training over the training text.</param>
/// <param name="EstimatedTrainSeconds">Pre-training plus every fine-tuning run of a classification lab, at the preset's measured throughput.</param>
/// <param name="Rationale">The same in words, one sentence per choice.</param>
public sealed record LocalModelSize(int Rows, double MeanTokens, double BudgetSeconds, string Preset, int PretrainSteps, int FineTuneSteps, int LoraSteps, int BatchSize, int SeqLen,
    double TokensPerParameter, double PretrainEpochs, double EstimatedTrainSeconds, string Rationale);

/// <summary>
/// The lab's model size and training lengths as a function of (training rows, mean tokens per row, time budget):
/// 1) the sequence fits twice the mean row (the mean hides a long tail), between 64 and 192 tokens;
/// 2) a share of the budget (<see cref="TrainingShare"/>) trains the lab's model, the rest answers the test split with
///    every row; of it <see cref="PretrainShare"/> pre-trains, the remainder fine-tunes;
/// 3) pre-training takes what its share buys at the preset's measured throughput, but at most
///    <see cref="MaxPretrainEpochs"/> passes over the text (Muennighoff et al. 2023, "Scaling Data-Constrained Language
///    Models": repeated tokens lose their value past ~16 epochs);
/// 4) the preset is the largest that sees at least <see cref="TokensPerParameterTarget"/> tokens per parameter
///    (Hoffmann et al. 2022, "Chinchilla"), else the smallest: an under-trained large model wastes the budget;
/// 5) fine-tuning: <see cref="FineTuneEpochs"/> passes over the rows, capped by what the fine-tuning share buys for all
///    of a classification lab's runs (<see cref="FineTuneRunUnits"/>: the search's three LoRA runs at twice the steps,
///    three full fine-tunes, the CPT row's and the student's), with floors below which nothing is learnt.
/// </summary>
public static class LocalModelSizing
{
    /// <summary>Sequences per step: CPU throughput is flat in the batch past ~8, and 8 is what every measured run used.</summary>
    public const int BatchSize = 8;

    /// <summary>Share of the lab's budget that trains its model (samples/fortunes, 100-step defaults: 363 of 582 s).</summary>
    public const double TrainingShare = 0.4;

    /// <summary>Share of the training time that pre-trains.</summary>
    public const double PretrainShare = 0.4;

    /// <summary>Pre-training passes over the training text at most.</summary>
    public const double MaxPretrainEpochs = 16;

    /// <summary>Pre-training tokens per parameter a preset must see to be chosen over a smaller one.</summary>
    public const double TokensPerParameterTarget = 20;

    /// <summary>Passes of each fine-tune over the training rows at most (the search keeps the best checkpoint, so more is insurance).</summary>
    public const double FineTuneEpochs = 3;

    /// <summary>
    /// Fine-tuning runs of a classification lab in full-fine-tune steps: 3 LoRA candidates × 2 (LoRA runs twice the
    /// steps) + 3 full fine-tune candidates + the CPT row's fine-tune + the distilled student's.
    /// </summary>
    public const int FineTuneRunUnits = 3 * 2 + 3 + 2;

    /// <summary>Fewest pre-training steps: below this the model has not left its initialization.</summary>
    public const int MinPretrainSteps = 20;

    /// <summary>Fewest fine-tuning steps.</summary>
    public const int MinFineTuneSteps = 10;

    /// <summary>The budget when <c>lab.budget_minutes</c> is not set: the issue's 2,000-text, 6-class set end to end on 2 cores.</summary>
    public const double DefaultBudgetMinutes = 10;

    /// <summary>
    /// Pre-training throughput in tokens/s per preset (batch 8 × 192 tokens, 4,096-token vocabulary, F32, 2 threads),
    /// measured with <c>lever train --method pretrain</c> on this project's 2-core machine (docs/LAB.md, "Sizing").
    /// </summary>
    public static IReadOnlyDictionary<string, double> TokensPerSecond { get; } = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        // 2026-12-02, load average 0.0-1.2: tiny 30 steps, small 6, base 3 (the first steps' warm-up included).
        ["tiny"] = 8_247, ["small"] = 795, ["base"] = 187,
    };

    /// <summary>Presets from the smallest to the largest.</summary>
    public static IReadOnlyList<string> Presets { get; } = ["tiny", "small", "base"];

    /// <summary>Sizes the lab's model for <paramref name="rows"/> training rows of <paramref name="meanTokens"/> tokens within <paramref name="budgetSeconds"/>.</summary>
    /// <param name="rows">Training rows (the training split).</param>
    /// <param name="meanTokens">Mean tokens per row as pre-training reads it.</param>
    /// <param name="budgetSeconds">The whole lab's wall-time budget on this machine's 2 cores.</param>
    /// <param name="vocab">The tokenizer's vocabulary (it sets the embedding's share of the parameters).</param>
    /// <param name="preset">A preset lever.yaml fixes (the steps are then sized for it); null: chosen here.</param>
    public static LocalModelSize Size(int rows, double meanTokens, double budgetSeconds, int vocab = 4096, string? preset = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(budgetSeconds);
        meanTokens = Math.Max(1, meanTokens);
        // 1) sequence length
        var seqLen = Math.Clamp(RoundUp(2 * meanTokens + 16, 32), 64, 192);
        var stepTokens = (double)BatchSize * seqLen;
        var dataTokens = rows * meanTokens;
        // 2) + 3) + 4) the largest preset that the budget trains to the target; the smallest otherwise
        var train = budgetSeconds * TrainingShare;
        var fixedPreset = preset is not null && Presets.Contains(preset);
        var choice = fixedPreset ? Pretraining(preset!, train * PretrainShare, stepTokens, dataTokens, vocab)
            : Presets.Select(p => Pretraining(p, train * PretrainShare, stepTokens, dataTokens, vocab)).LastOrDefault(c => c.TokensPerParameter >= TokensPerParameterTarget);
        var fallback = choice is null;
        choice ??= Pretraining(Presets[0], train * PretrainShare, stepTokens, dataTokens, vocab);
        // 5) fine-tuning
        var tps = TokensPerSecond[choice.Preset];
        var ftBudget = (int)Math.Floor(train * (1 - PretrainShare) * tps / (FineTuneRunUnits * stepTokens));
        var ftData = (int)Math.Ceiling(FineTuneEpochs * rows / BatchSize);
        var ft = Math.Max(MinFineTuneSteps, Math.Min(ftBudget, ftData));
        var seconds = (choice.Steps + FineTuneRunUnits * ft) * stepTokens / tps;

        var i = CultureInfo.InvariantCulture;
        var rationale = string.Join(' ',
            string.Create(i, $"seq_len {seqLen}: twice the mean row of {meanTokens:0.#} tokens plus 16, rounded up to 32, within 64–192."),
            fixedPreset ? $"{choice.Preset}: set in lever.yaml ({choice.TokensPerParameter.ToString("0.##", i)} tokens/parameter)."
            : fallback
                ? string.Create(i, $"{choice.Preset}: no preset reaches {TokensPerParameterTarget} pre-training tokens per parameter in {train * PretrainShare:0} s (the {TrainingShare:P0} training share's {PretrainShare:P0}); the smallest is the least under-trained ({choice.TokensPerParameter:0.##} tokens/parameter).")
                : string.Create(i, $"{choice.Preset}: the largest preset that sees {TokensPerParameterTarget}+ tokens per parameter ({choice.TokensPerParameter:0.#}) in {train * PretrainShare:0} s of pre-training."),
            string.Create(i, $"pretrain_steps {choice.Steps}: {(choice.DataBound ? $"{MaxPretrainEpochs} passes over {dataTokens:N0} tokens of text" : $"what {train * PretrainShare:0} s buy at {choice.TokensPerSecond:N0} tokens/s")} ({choice.Epochs:0.##} epochs, at least {MinPretrainSteps})."),
            string.Create(i, $"fine_tune_steps {ft}: {(ftData <= ftBudget ? $"{FineTuneEpochs} epochs of {rows:N0} rows" : $"what {train * (1 - PretrainShare):0} s buy for {FineTuneRunUnits} fine-tuning runs' worth of steps")} (at least {MinFineTuneSteps}); lora_steps {2 * ft}, twice that."),
            string.Create(i, $"Estimated training {seconds:0} s of the {budgetSeconds:0} s budget."));
        return new LocalModelSize(rows, meanTokens, budgetSeconds, choice.Preset, choice.Steps, ft, 2 * ft, BatchSize, seqLen, choice.TokensPerParameter, choice.Epochs, seconds, rationale);
    }

    /// <summary>Parameters of <paramref name="preset"/> with a <paramref name="vocab"/>-token embedding (tied output).</summary>
    public static long Parameters(string preset, int vocab) => ModelPresets.ParameterCount(ModelPresets.Get(preset)! with { VocabSize = vocab });

    private static PretrainChoice Pretraining(string preset, double seconds, double stepTokens, double dataTokens, int vocab)
    {
        var tps = TokensPerSecond[preset];
        var byBudget = (long)Math.Floor(seconds * tps / stepTokens);
        var byData = (long)Math.Ceiling(MaxPretrainEpochs * dataTokens / stepTokens);
        var steps = (int)Math.Max(MinPretrainSteps, Math.Min(Math.Min(byBudget, byData), int.MaxValue));
        var tokens = steps * stepTokens;
        return new PretrainChoice(preset, steps, tps, tokens / Parameters(preset, vocab), tokens / dataTokens, byData <= byBudget);
    }

    private static int RoundUp(double value, int multiple) => (int)Math.Ceiling(value / multiple) * multiple;

    private sealed record PretrainChoice(string Preset, int Steps, double TokensPerSecond, double TokensPerParameter, double Epochs, bool DataBound);
}
