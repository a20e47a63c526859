using System.Text.Json;
using System.Text.Json.Nodes;
using Lever.Server.FineTuning;
using Lever.Training.Data;
using Lever.Training.Lora;
using Lever.Training.Runs;
using Lever.Training.Trainer;

namespace Lever.Cli.Commands;

/// <summary>
/// The server's fine-tuning jobs on Lever's trainer — <see cref="TrainingRun"/>, exactly what <c>lever train --method
/// lora|qlora|full</c> runs (the job's method.lever; LoRA by default), resuming from its checkpoints — with files checked
/// by <c>lever data validate</c>'s <see cref="DataValidator"/>.
/// The one base is the checkpoint <c>lever serve --model</c> serves.
/// </summary>
internal sealed class FineTuningTrainer(string baseId, string basePath) : IFineTuneTrainer
{
    /// <summary>The learning rate a multiplier of 1 means for LoRA and QLoRA: <c>lever train</c>'s default for them.</summary>
    public const double BaseLearningRate = 2e-4;

    /// <summary>The learning rate a multiplier of 1 means for full fine-tuning: <c>lever train --method full</c>'s default.</summary>
    public const double FullLearningRate = 2e-5;

    public IReadOnlyList<string> Bases => [baseId];

    public string? ResolveBase(string model) => model == baseId ? basePath : null;

    public FineTuneFileCheck Check(string path)
    {
        var r = DataValidator.Validate(path);
        return new FineTuneFileCheck(r.ValidExamples, r.InvalidCount, [.. r.Invalid.Select(p => (p.Line, p.Reason))], r.Format is { } f ? TrainingRecordParser.Describe(f) : null);
    }

    public bool CanResume(string outputDirectory) =>
        File.Exists(Path.Combine(outputDirectory, TrainingRun.RunFile)) && File.Exists(Path.Combine(outputDirectory, "checkpoints", "latest"));

    public FineTuneOutcome Train(FineTuneRequest request, IProgress<FineTuneStep> progress, CancellationToken cancellationToken)
    {
        TorchSharp.torch.set_num_threads(request.Threads);
        var options = request.Resume ? TrainingRun.ReadOptions(request.OutputDirectory) : Options(request);
        var summary = TrainingRun.Run(options, request.Resume, new Steps(progress), _ => { }, cancellationToken);
        long? tokens = null;
        var latest = Path.Combine(request.OutputDirectory, "checkpoints", "latest");
        if (File.Exists(latest))
        {
            var state = Path.Combine(request.OutputDirectory, "checkpoints", File.ReadAllText(latest).Trim(), "trainer_state.json");
            if (File.Exists(state)) tokens = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(state))?.TokensSeen;
        }
        return new FineTuneOutcome
        {
            Steps = summary.Steps, TrainLoss = summary.TrainLoss, ValidLoss = summary.ValidationLoss, TrainedTokens = tokens,
            Interrupted = summary.Stop == "interrupted",
        };
    }

    /// <summary>The run's options: the job's method with <c>lever train</c>'s defaults, its epochs, batch, learning rate and seed.</summary>
    internal static TrainingRunOptions Options(FineTuneRequest request)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(request.BaseModelPath, "config.json")));
        int maxPositions = config?["max_position_embeddings"]?.GetValue<int>() ?? 2048;
        return new TrainingRunOptions
        {
            Method = request.Method.Training switch
            {
                FineTuneMethod.Full => TrainingMethod.Full,
                FineTuneMethod.QLora => TrainingMethod.Qlora,
                _ => TrainingMethod.Lora,
            },
            Model = request.BaseModelPath,
            Data = request.TrainingFile,
            Validation = request.ValidationFile,
            ValidationFraction = 0, // OpenAI's jobs hold nothing out unless a validation file is given
            Output = request.OutputDirectory,
            Epochs = request.Epochs,
            Trainer = new TrainerOptions
            {
                BatchSize = request.BatchSize,
                SeqLen = Math.Min(256, maxPositions),
                LearningRate = (request.Method.IsFull ? FullLearningRate : BaseLearningRate) * request.LearningRateMultiplier,
                CheckpointEvery = request.CheckpointEvery,
                EvalEvery = request.ValidationFile is null ? 0 : request.CheckpointEvery,
                Seed = request.Seed,
            },
            Lora = request.Method.LoraRank is { } rank ? new LoraOptions { Rank = rank, Alpha = 2.0 * rank } : new LoraOptions(),
        };
    }

    private sealed class Steps(IProgress<FineTuneStep> inner) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p) =>
            inner.Report(new FineTuneStep(p.Step, p.TotalSteps, p.Loss, p.ValidationLoss, p.LearningRate, p.Event?.Contains("checkpoint", StringComparison.Ordinal) == true));
    }
}
