using System.Diagnostics;
using System.Globalization;
using Lever.Engine.Checkpoints;
using Lever.Engine.Tokenizers;
using Lever.Lab.Data;
using Lever.Lab.Internal;
using Lever.Lab.Pipeline;
using Lever.Training.Runs;
using Lever.Training.Trainer;

namespace Lever.Lab.Recipes.Local;

/// <summary>
/// The base model every local LLM recipe starts from, built in two stages: 1) a byte-level BPE tokenizer trained on
/// the training emails' text, 2) a small Llama-family model pre-trained from scratch on the same text (no labels).
/// Both are cached stages: reused when the data and settings did not change, resumed from the last checkpoint when a
/// run was interrupted.
/// </summary>
internal static class LanguageModelFoundation
{
    /// <summary>What the recipes get: the model folder, the hash that identifies it, and what it cost to build.</summary>
    public sealed record Result(string Directory, string Inputs, double Seconds);

    /// <summary>
    /// Builds (or reuses) the tokenizer and the pre-trained model; <paramref name="text"/> is what each training example
    /// contributes to both (default: its text; an extraction lab adds the output, so the model has seen outputs written).
    /// </summary>
    public static async Task<Result> EnsureAsync(LabPipeline pipeline, StageRecord data, LabLanguageModelOptions o, Func<LabDataset> load, CancellationToken ct,
        Func<LabExample, string>? text = null)
    {
        var read = text ?? (e => e.Text);
        var models = Path.Combine(pipeline.LabDir, "models");
        var tokenizerDir = Path.Combine(models, "tokenizer");
        var texts = Hashing.Of(data.Outputs["data/train.jsonl"], data.Outputs["data/validation.jsonl"], o.PretrainChars.ToString(CultureInfo.InvariantCulture));
        if (text is not null) texts = Hashing.Of(texts, "with-outputs-v2");

        // 1) tokenizer
        var tokInputs = Hashing.Of("tokenizer-v1", texts, o.Vocab.ToString(CultureInfo.InvariantCulture));
        var tok = await pipeline.RunAsync("tokenizer", $"train a {o.Vocab}-token BPE tokenizer", tokInputs, ["models/tokenizer/tokenizer.json"], (run, token) =>
        {
            var d = load();
            var corpus = d.Train.Concat(d.Validation).Select(e => Cut(read(e), o.PretrainChars)).ToList();
            var trained = BpeTrainer.Train(corpus, o.Vocab, progress: new SyncProgress<(int Done, int Total)>(p => { run.Start(p.Total); run.Progress(p.Done); }), cancellationToken: token);
            trained.Save(tokenizerDir);
            run.Detail = $"{trained.VocabSize} tokens from {corpus.Count} texts";
            return Task.CompletedTask;
        }, ct).ConfigureAwait(false);

        // 2) pre-training from scratch
        var baseDir = Path.Combine(models, "base");
        var preInputs = Hashing.Of("pretrain-v1", tokInputs, tok.Outputs["models/tokenizer/tokenizer.json"], o.Preset,
            string.Join(',', new[] { o.PretrainSteps, o.BatchSize, o.SeqLen, o.Seed }.Select(v => v.ToString(CultureInfo.InvariantCulture))));
        var pre = await pipeline.RunAsync("pretrain", $"pre-train a {o.Preset} model from scratch", preInputs, ["models/base/model.safetensors"], (run, token) =>
        {
            var d = load();
            var dataDir = Directory.CreateDirectory(Path.Combine(models, "pretrain-data")).FullName;
            JsonLines.Write(Path.Combine(dataDir, "train.jsonl"), d.Train.Select(e => new TextLine(Cut(read(e), o.PretrainChars))));
            JsonLines.Write(Path.Combine(dataDir, "validation.jsonl"), d.Validation.Select(e => new TextLine(Cut(read(e), o.PretrainChars))));
            var clock = Stopwatch.StartNew();
            var summary = PretrainFromScratch(o, Path.Combine(models, "init"), tokenizerDir, dataDir, baseDir, preInputs, run, token);
            if (summary.Stop == "interrupted") throw new OperationCanceledException(token);
            run.SetValue("train_seconds", clock.Elapsed.TotalSeconds);
            run.Detail = $"{summary.Steps} steps, validation loss {summary.ValidationLoss:0.000} (from {summary.BaseValidationLoss:0.000}), {summary.TokensPerSecond:N0} tokens/s";
            return Task.CompletedTask;
        }, ct).ConfigureAwait(false);

        return new Result(baseDir, preInputs, tok.Seconds + pre.Values.GetValueOrDefault("train_seconds"));
    }

    /// <summary>
    /// Pre-trains a fresh <c>o.Preset</c> model (initialized in <paramref name="initDir"/> with the tokenizer in
    /// <paramref name="tokenizerDir"/>) on <paramref name="dataDir"/>'s train/validation.jsonl into <paramref name="outputDir"/>;
    /// a run interrupted with the same <paramref name="inputs"/> resumes from its last checkpoint instead of starting over.
    /// </summary>
    public static TrainingSummary PretrainFromScratch(LabLanguageModelOptions o, string initDir, string tokenizerDir, string dataDir, string outputDir,
        string inputs, StageRun run, CancellationToken token)
    {
        var resume = ResumeOrReset(outputDir, inputs);
        if (!resume)
        {
            if (Directory.Exists(initDir)) Directory.Delete(initDir, recursive: true);
            ModelInitializer.Create(o.Preset, initDir, tokenizerDir, o.Seed);
        }
        return TrainingRun.Run(new TrainingRunOptions
        {
            Method = TrainingMethod.Pretrain,
            Model = initDir,
            Data = Path.Combine(dataDir, "train.jsonl"),
            Validation = Path.Combine(dataDir, "validation.jsonl"),
            Output = outputDir,
            Trainer = new TrainerOptions
            {
                Steps = o.PretrainSteps, BatchSize = o.BatchSize, SeqLen = o.SeqLen, LearningRate = 1e-3, WeightDecay = 0.1,
                EvalEvery = Math.Max(1, o.PretrainSteps / 4), EvalBatches = 8, CheckpointEvery = Math.Max(1, o.PretrainSteps / 5), Seed = o.Seed,
            },
        }, resume, Progress(run), cancellationToken: token);
    }

    /// <summary>Training progress mapped onto a stage's progress.</summary>
    public static IProgress<TrainingProgress> Progress(StageRun run) => new SyncProgress<TrainingProgress>(p =>
    {
        run.Start(p.TotalSteps);
        run.Progress(p.Step);
    });

    /// <summary>
    /// True when <paramref name="runDir"/> holds checkpoints of a run with these same inputs (resume it); otherwise the
    /// folder is cleared and tagged with <paramref name="inputs"/> for a fresh run.
    /// </summary>
    public static bool ResumeOrReset(string runDir, string inputs)
    {
        var tag = runDir + ".inputs";
        if (Directory.Exists(Path.Combine(runDir, "checkpoints")) && File.Exists(tag) && File.ReadAllText(tag) == inputs) return true;
        if (Directory.Exists(runDir)) Directory.Delete(runDir, recursive: true);
        Directory.CreateDirectory(Path.GetDirectoryName(runDir)!);
        File.WriteAllText(tag, inputs);
        return false;
    }

    public static string Cut(string text, int chars) => text.Length > chars ? text[..chars] : text;

    /// <summary>A {"text"} line for pre-training.</summary>
    private sealed record TextLine(string Text);
}
