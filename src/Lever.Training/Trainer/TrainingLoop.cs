// The training loop: AdamW with warm-up + cosine learning rate, gradient accumulation (token-weighted, so k micro-
// batches give exactly the gradient of one k-times larger batch), global-norm clipping, periodic validation with early
// stopping and a kept best checkpoint, NaN/inf detection before any weight changes, crash-safe checkpoints, and exact
// resume (data order, optimizer moments, schedule and dropout seeds are all functions of the step).
using System.Diagnostics;
using System.Text.Json;
using Lever.Training.Data;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lever.Training.Trainer;

/// <summary>Trains the parameters of a causal LM that require gradients (all of them, or only LoRA adapters).</summary>
public sealed class TrainingLoop
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly TrainerOptions _options;
    private readonly ISequenceSource _train;
    private readonly ISequenceSource? _validation;
    private readonly ISequenceSource? _replay;
    private readonly int _padId;
    private readonly CheckpointStore _store;
    private readonly string _runDirectory;
    private readonly List<(string Name, Parameter Parameter)> _trainable;

    /// <summary>
    /// Sets up a run in <paramref name="runDirectory"/>. <paramref name="model"/> maps input ids (B, T) to logits
    /// (B, T, V); <paramref name="padId"/> pads short rows (their labels are ignored).
    /// </summary>
    public TrainingLoop(nn.Module<Tensor, Tensor> model, TrainerOptions options, ISequenceSource train, ISequenceSource? validation,
        int padId, string runDirectory, ISequenceSource? replay = null)
    {
        options.Validate();
        if (train.Count == 0) throw new Core.LeverUserException("the training set has no sequences", "add data, or lower --seq-len for a tiny text corpus");
        (_model, _options, _train, _validation, _padId, _runDirectory, _replay) = (model, options, train, validation, padId, runDirectory, replay);
        Directory.CreateDirectory(runDirectory);
        _store = new CheckpointStore(runDirectory);
        _trainable = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter)).ToList();
        if (_trainable.Count == 0) throw new InvalidOperationException("no parameter requires a gradient");
    }

    /// <summary>Receives a snapshot after every step (and at events: evaluation, checkpoint, early stop).</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Where checkpoints go.</summary>
    public CheckpointStore Checkpoints => _store;

    /// <summary>Number of parameters that train.</summary>
    public long TrainableParameters => _trainable.Sum(p => p.Parameter.numel());

    /// <summary>The trainable parameters by name (what checkpoints hold).</summary>
    public IReadOnlyDictionary<string, Tensor> TrainableTensors() => _trainable.ToDictionary(p => p.Name, p => (Tensor)p.Parameter, StringComparer.Ordinal);

    /// <summary>Copies <paramref name="weights"/> (e.g. the best checkpoint) into the trainable parameters.</summary>
    public void LoadTrainable(IReadOnlyDictionary<string, Tensor> weights)
    {
        using var noGrad = no_grad();
        foreach (var (name, p) in _trainable)
        {
            if (!weights.TryGetValue(name, out var w)) throw new InvalidDataException($"checkpoint has no tensor {name}");
            p.copy_(w);
        }
    }

    /// <summary>Mean next-token loss over the first <paramref name="maxBatches"/> batches of <paramref name="source"/> (in order).</summary>
    public double Evaluate(ISequenceSource source, int? maxBatches = null) => Evaluate(_model, source, _options.BatchSize, _padId, maxBatches ?? _options.EvalBatches);

    /// <summary>Mean next-token loss of <paramref name="model"/> over a fixed prefix of <paramref name="source"/>.</summary>
    public static double Evaluate(nn.Module<Tensor, Tensor> model, ISequenceSource source, int batchSize, int padId, int maxBatches)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            double sum = 0;
            long count = 0;
            int n = Math.Min(source.Count, batchSize * maxBatches);
            for (int start = 0; start < n; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var rows = Enumerable.Range(start, Math.Min(batchSize, n - start)).Select(source.Get).ToList();
                var (x, y) = Collator.Collate(rows, padId);
                sum += Collator.SummedLoss(model.call(x), y).item<float>();
                count += Collator.CountTargets(rows);
            }
            return count == 0 ? double.NaN : sum / count;
        }
        finally
        {
            if (wasTraining) model.train();
        }
    }

    /// <summary>Trains to <see cref="TrainerOptions.Steps"/>, from the latest checkpoint when <paramref name="resume"/>.</summary>
    public TrainingResult Run(bool resume, CancellationToken cancellationToken = default)
    {
        var o = _options;
        using var optimizer = new AdamW(_trainable.Select(p => (p.Name, (Tensor)p.Parameter)).ToList(), o.Beta1, o.Beta2, 1e-8, o.WeightDecay);
        var state = new TrainerState();
        string? lastCheckpoint = null;
        if (resume)
        {
            var checkpoint = _store.LoadLatest()
                ?? throw new Core.LeverUserException($"{_store.CheckpointsDirectory}: no intact checkpoint to resume from", "start the run again without --resume");
            LoadTrainable(checkpoint.Weights);
            optimizer.LoadState(checkpoint.Optimizer, checkpoint.State.Step);
            foreach (var t in checkpoint.Weights.Values.Concat(checkpoint.Optimizer.Values)) t.Dispose();
            state = checkpoint.State;
            lastCheckpoint = checkpoint.Path;
        }

        var sampler = new BatchSampler(_train, o.BatchSize, o.GradientAccumulation, o.Seed, _replay, o.ReplayFraction);
        var metricsPath = Path.Combine(_runDirectory, "metrics.jsonl");
        // The log restarts from the checkpoint's history, so steps a killed run did after its last checkpoint vanish.
        File.WriteAllLines(metricsPath, state.History.Select(h => JsonSerializer.Serialize(h)));
        using var metrics = new StreamWriter(metricsPath, append: true);
        var history = state.History.ToList();
        var clock = Stopwatch.StartNew();
        long sessionTokens = 0;
        int sessionStartStep = state.Step;
        double baseElapsed = state.ElapsedSeconds;
        var stop = TrainingStop.Completed;
        double minLr = o.LearningRate * o.MinLearningRateRatio;
        _model.train();

        for (int step = state.Step + 1; step <= o.Steps; step++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                stop = TrainingStop.Interrupted;
                break;
            }
            // Dropout draws depend on the step only, so a resumed step repeats the uninterrupted one.
            random.manual_seed(o.Seed * 1_000_003L + step);
            double lr = LearningRateSchedule.Cosine(step, o.Steps, o.EffectiveWarmup, o.LearningRate, minLr);
            var micro = Enumerable.Range(0, o.GradientAccumulation).Select(m => sampler.MicroBatch(step, m)).ToList();
            long targets = micro.Sum(Collator.CountTargets);
            double lossSum = 0;
            foreach (var rows in micro)
            {
                using var scope = NewDisposeScope();
                var (x, y) = Collator.Collate(rows, _padId);
                var summed = Collator.SummedLoss(_model.call(x), y);        // sum over this micro-batch's targets
                (summed / Math.Max(1, targets)).backward();                   // token-weighted over the whole step
                lossSum += summed.item<float>();
                sessionTokens += rows.Sum(r => r.InputIds.Length);
            }
            double loss = lossSum / Math.Max(1, targets);
            double gradNorm = GradientNorm(o.MaxGradNorm);
            if (!double.IsFinite(loss) || !double.IsFinite(gradNorm))
            {
                optimizer.ZeroGrad();
                throw new TrainingDivergedException(
                    $"training diverged at step {step}: loss {loss:g4}, gradient norm {gradNorm:g4}; weights were not updated",
                    $"the last good checkpoint is {lastCheckpoint ?? "(none yet)"}; lower --lr (now {o.LearningRate:g3}) or use more warm-up, then run again (or --resume)");
            }
            optimizer.Step(lr);
            optimizer.ZeroGrad();

            double? val = null;
            string? evt = null;
            if (o.EvalEvery > 0 && _validation is { Count: > 0 } && (step % o.EvalEvery == 0 || step == o.Steps))
            {
                val = Evaluate(_validation);
                if (state.BestValidationLoss is not { } best || val < best)
                {
                    state = state with { BestValidationLoss = val, BestStep = step, EvaluationsWithoutImprovement = 0 };
                    _store.SaveBest(state, TrainableTensors());
                    evt = "best";
                }
                else
                {
                    state = state with { EvaluationsWithoutImprovement = state.EvaluationsWithoutImprovement + 1 };
                }
            }
            var record = new StepRecord(step, loss, lr, gradNorm, val);
            history.Add(record);
            metrics.WriteLine(JsonSerializer.Serialize(record));
            metrics.Flush();
            state = state with
            {
                Step = step,
                TokensSeen = state.TokensSeen + micro.Sum(m => m.Sum(r => (long)r.InputIds.Length)),
                ElapsedSeconds = baseElapsed + clock.Elapsed.TotalSeconds,
                History = history,
            };

            bool early = o.EarlyStoppingPatience is { } patience && state.EvaluationsWithoutImprovement >= patience;
            if (step % o.CheckpointEvery == 0 || step == o.Steps || early)
            {
                lastCheckpoint = _store.Save(state, TrainableTensors(), optimizer.StateTensors(), o.KeepCheckpoints);
                evt = evt is null ? "checkpoint" : evt + ", checkpoint";
            }
            Report(state, step, loss, val, lr, sessionTokens, clock.Elapsed, sessionStartStep, evt);
            if (early)
            {
                stop = TrainingStop.EarlyStopped;
                break;
            }
        }

        if (stop == TrainingStop.Interrupted && state.Step > 0 && !(lastCheckpoint?.EndsWith($"step-{state.Step:D6}", StringComparison.Ordinal) ?? false))
            _store.Save(state, TrainableTensors(), optimizer.StateTensors(), o.KeepCheckpoints);

        var tail = history.TakeLast(Math.Max(1, Math.Min(10, history.Count))).ToList();
        var trainLoss = tail.Count == 0 ? double.NaN : tail.Average(h => h.Loss);
        var lastVal = history.LastOrDefault(h => h.ValidationLoss is not null)?.ValidationLoss;
        return new TrainingResult(stop, state, trainLoss, lastVal, sessionTokens / Math.Max(1e-9, clock.Elapsed.TotalSeconds), PeakMemoryMb());
    }

    /// <summary>Process peak resident memory in MiB (CPU training: weights, activations and optimizer state all live there).</summary>
    public static double PeakMemoryMb() => Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);

    private double GradientNorm(double maxNorm)
    {
        var withGrad = _trainable.Where(p => p.Parameter.grad is not null).Select(p => p.Parameter).ToList();
        if (withGrad.Count == 0) return 0;
        if (maxNorm > 0) return nn.utils.clip_grad_norm_(withGrad, maxNorm);
        using var scope = NewDisposeScope();
        return withGrad.Select(p => p.grad!.pow(2).sum()).Aggregate((a, b) => a + b).sqrt().item<float>();
    }

    private void Report(TrainerState state, int step, double loss, double? val, double lr, long sessionTokens, TimeSpan elapsed, int startStep, string? evt)
    {
        if (Progress is null) return;
        double tps = sessionTokens / Math.Max(1e-9, elapsed.TotalSeconds);
        int done = step - startStep;
        var eta = done > 0 ? TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (_options.Steps - step)) : TimeSpan.Zero;
        Progress.Report(new TrainingProgress(step, _options.Steps, loss, val ?? state.BestValidationLoss, lr, tps, eta, PeakMemoryMb(), evt));
    }
}
