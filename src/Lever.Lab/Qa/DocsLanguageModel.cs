using Lever.Lab.Datasets.Email.Internal;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Lever.Engine.Checkpoints;
using Lever.Engine.Tokenizers;
using Lever.Lab.Internal;
using Lever.Lab.Pipeline;
using Lever.Lab.Recipes.Local;
using Lever.Training.Runs;
using Lever.Training.Trainer;

namespace Lever.Lab.Qa;

/// <summary>
/// The "train a model on the documents" lever, measured: a byte-level BPE tokenizer and a tiny Llama-family model
/// (<c>lab.llm</c>: preset, vocabulary, steps) trained from scratch on the documents' text with
/// <see cref="TrainingRun"/> (method pretrain), its loss measured on held-out pages (every 20th page) before and after.
/// The model then answers closed book (<c>local-docs-lm</c>): the point is the contrast — the loss on the domain's text
/// drops, the share of questions answered stays near zero. Training teaches the language of the documents, not their facts.
/// </summary>
internal static class DocsLanguageModel
{
    private const string Version = "docs-lm-v1";
    private const int PieceChars = 1500;

    /// <summary>The trained model's folder, the stage's inputs hash, its training time and losses.</summary>
    public sealed record Result(string Directory, string Inputs, double Seconds, double BaseLoss, double Loss, int Steps);

    public static async Task<Result> EnsureAsync(LabPipeline pipeline, string corpus, string inventory, LabLanguageModelOptions o, CancellationToken ct)
    {
        var root = Path.Combine(pipeline.LabDir, "models", "docs-lm");
        var modelDir = Path.Combine(root, "model");
        var inputs = Hashing.Of(Version, corpus, inventory, o.Preset, string.Join(',', new[] { o.Vocab, o.PretrainSteps, o.BatchSize, o.SeqLen, o.Seed }.Select(v => v.ToString(CultureInfo.InvariantCulture))));
        var record = await pipeline.RunAsync("train:docs-lm", $"train a {o.Preset} model on the documents ({o.PretrainSteps} steps)", inputs, ["models/docs-lm/result.json"], (run, token) =>
        {
            var clock = Stopwatch.StartNew();
            // 1) the documents' text in pieces; every 20th page (by sorted name) is held out for the loss.
            var pages = Directory.EnumerateFiles(corpus, "*.htm*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
            var train = new List<string>();
            var validation = new List<string>();
            for (int i = 0; i < pages.Count; i++)
            {
                token.ThrowIfCancellationRequested();
                var text = HtmlText.ToText(File.ReadAllText(pages[i]));
                var pieces = Enumerable.Range(0, (text.Length + PieceChars - 1) / PieceChars).Select(k => text.Substring(k * PieceChars, Math.Min(PieceChars, text.Length - k * PieceChars)));
                (i % 20 == 0 ? validation : train).AddRange(pieces.Where(p => p.Trim().Length > 100));
            }
            var dataDir = Directory.CreateDirectory(Path.Combine(root, "data")).FullName;
            JsonLines.Write(Path.Combine(dataDir, "train.jsonl"), train.Select(t => new TextLine(t)));
            JsonLines.Write(Path.Combine(dataDir, "validation.jsonl"), validation.Select(t => new TextLine(t)));

            // 2) tokenizer on the training pieces (never the held-out pages).
            var tokenizerDir = Path.Combine(root, "tokenizer");
            if (!File.Exists(Path.Combine(tokenizerDir, "tokenizer.json")) || !File.Exists(root + ".tokenizer.inputs") || File.ReadAllText(root + ".tokenizer.inputs") != inputs)
            {
                var bpe = BpeTrainer.Train(train, o.Vocab, cancellationToken: token);
                bpe.Save(tokenizerDir);
                File.WriteAllText(root + ".tokenizer.inputs", inputs);
            }

            // 3) pre-training from a fresh initialization; an interrupted run resumes from its last checkpoint.
            var summary = LanguageModelFoundation.PretrainFromScratch(o, Path.Combine(root, "init"), tokenizerDir, dataDir, modelDir, inputs, run, token);
            if (summary.Stop == "interrupted") throw new OperationCanceledException(token);
            var seconds = clock.Elapsed.TotalSeconds;
            run.SetValue("train_seconds", seconds);
            run.SetValue("base_loss", summary.BaseValidationLoss ?? double.NaN);
            run.SetValue("loss", summary.ValidationLoss ?? double.NaN);
            run.SetValue("steps", summary.Steps);
            File.WriteAllText(Path.Combine(root, "result.json"), JsonSerializer.Serialize(new
            {
                steps = summary.Steps, base_validation_loss = summary.BaseValidationLoss, validation_loss = summary.ValidationLoss,
                train_pieces = train.Count, validation_pieces = validation.Count, tokens_per_second = summary.TokensPerSecond, seconds,
            }, JsonLines.Options));
            run.Detail = $"{summary.Steps} steps, held-out loss {summary.BaseValidationLoss:0.000} → {summary.ValidationLoss:0.000} nats/token, {summary.TokensPerSecond:N0} tokens/s";
            return Task.CompletedTask;
        }, ct).ConfigureAwait(false);
        return new Result(modelDir, inputs, record.Values.GetValueOrDefault("train_seconds"), record.Values.GetValueOrDefault("base_loss"),
            record.Values.GetValueOrDefault("loss"), (int)record.Values.GetValueOrDefault("steps"));
    }

    /// <summary>A {"text"} line for pre-training.</summary>
    private sealed record TextLine(string Text);
}
