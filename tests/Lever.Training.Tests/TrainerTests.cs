using Lever.Core;
using Lever.Training.Data;
using Lever.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace Lever.Training.Tests;

public sealed class TrainerTests
{
    private static readonly string Corpus = string.Join("\n", Enumerable.Range(0, 60).Select(i =>
        $"{{\"text\":\"the cat sat on the mat. the dog sat on the log. number {i % 7} is {(i % 7) * 2} halved.\"}}"));

    private static PreparedDataset Prepare(TempWorkspace tmp, string jsonl, double valFraction = 0.15, string name = "data") =>
        DatasetBuilder.Prepare(tmp.Write(name + ".jsonl", jsonl), null, new ExampleEncoder(new ByteTokenizer()), tmp.Combine(name), 1, valFraction);

    [Fact]
    public void AdamW_matches_torch_optim_AdamW_step_for_step()
    {
        using var scope = NewDisposeScope();
        var w0 = randn(5, 3, generator: new Generator(1));
        var b0 = randn(3, generator: new Generator(2));
        var ours = new[] { w0.clone().requires_grad_(), b0.clone().requires_grad_() };
        var theirs = new[] { new TorchSharp.Modules.Parameter(w0.clone()), new TorchSharp.Modules.Parameter(b0.clone()) };
        using var adam = new AdamW([("w", ours[0]), ("b", ours[1])], 0.9, 0.95, 1e-8, weightDecay: 0.1);
        // torch decays every parameter it is given; give it the matrix with decay and the vector without, as we do.
        var reference = optim.AdamW([new TorchSharp.Modules.AdamW.ParamGroup([theirs[0]], new TorchSharp.Modules.AdamW.Options { weight_decay = 0.1 }),
                                     new TorchSharp.Modules.AdamW.ParamGroup([theirs[1]], new TorchSharp.Modules.AdamW.Options { weight_decay = 0.0 })],
                                    lr: 0.01, beta1: 0.9, beta2: 0.95, eps: 1e-8);
        var x = randn(4, 5, generator: new Generator(3));
        for (int i = 0; i < 5; i++)
        {
            (x.matmul(ours[0]) + ours[1]).pow(2).sum().backward();
            adam.Step(0.01);
            adam.ZeroGrad();
            reference.zero_grad();
            (x.matmul(theirs[0]) + theirs[1]).pow(2).sum().backward();
            reference.step();
        }
        Assert.True(ours[0].allclose(theirs[0], rtol: 1e-5, atol: 1e-6));
        Assert.True(ours[1].allclose(theirs[1], rtol: 1e-5, atol: 1e-6));
        Assert.Equal(5, adam.StepCount);
    }

    [Fact]
    public void Cosine_schedule_warms_up_linearly_then_decays_to_the_floor()
    {
        Assert.Equal(0.1, LearningRateSchedule.Cosine(1, 100, 10, 1.0, 0.1), 12);
        Assert.Equal(1.0, LearningRateSchedule.Cosine(10, 100, 10, 1.0, 0.1), 12);
        Assert.Equal(0.55, LearningRateSchedule.Cosine(55, 100, 10, 1.0, 0.1), 12); // halfway through the decay
        Assert.Equal(0.1, LearningRateSchedule.Cosine(100, 100, 10, 1.0, 0.1), 12);
    }

    [Fact]
    public void Gradient_accumulation_gives_the_gradient_of_the_whole_batch()
    {
        using var scope = NewDisposeScope();
        var rows = new List<TokenizedExample>
        {
            new([1, 2, 3, 4, 5], [-100, -100, 3, 4, 5]),
            new([6, 7, 8], [6, 7, 8]),
            new([9, 10, 11, 12], [-100, 10, -100, 12]),
            new([13, 14], [-100, 14]),
        };
        Tensor Grad(IEnumerable<IReadOnlyList<TokenizedExample>> micro)
        {
            var model = TinyLlama.Create(3);
            long targets = micro.Sum(Collator.CountTargets);
            foreach (var m in micro)
            {
                var (x, y) = Collator.Collate(m, 0);
                (Collator.SummedLoss(model.call(x), y) / targets).backward();
            }
            return model.Model.EmbedTokens.weight!.grad!.clone();
        }
        var whole = Grad([rows]);
        var split = Grad([rows.Take(2).ToList(), rows.Skip(2).ToList()]);
        Assert.True(whole.abs().sum().item<float>() > 0);
        var diff = (split - whole).abs().max().item<float>();
        Assert.True(diff <= 1e-4 * whole.abs().max().item<float>(), $"max diff {diff}, max grad {whole.abs().max().item<float>()}");
    }

    [Fact]
    public void A_tiny_model_pretrained_from_scratch_beats_the_uniform_baseline_clearly()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        using var data = Prepare(tmp, Corpus);
        using var scope = NewDisposeScope();
        var model = TinyLlama.Create(7);
        var options = new TrainerOptions { Steps = 60, BatchSize = 8, SeqLen = 32, LearningRate = 1e-2, EvalEvery = 30, CheckpointEvery = 30, Seed = 3 };
        var loop = new TrainingLoop(model, options, data.TrainSequences(32), data.ValidationSequences(32), 256, tmp.Combine("run"));
        var before = loop.Evaluate(data.ValidationSequences(32));
        var result = loop.Run(resume: false);
        double uniform = Math.Log(258);
        Assert.InRange(before, uniform - 0.3, uniform + 0.3); // an untrained model is about uniform
        Assert.True(result.ValidationLoss < 0.5 * uniform, $"val loss {result.ValidationLoss} vs ln(V) {uniform}");
        Assert.Equal(TrainingStop.Completed, result.Stop);
        Assert.True(File.Exists(Path.Combine(tmp.Root, "run", "best", "trainable.safetensors")));
    }

    [Fact]
    public void A_run_killed_after_a_checkpoint_resumes_to_the_same_loss_curve()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        using var data = Prepare(tmp, Corpus);
        var options = new TrainerOptions { Steps = 16, BatchSize = 4, GradientAccumulation = 2, SeqLen = 24, LearningRate = 5e-3, EvalEvery = 8, CheckpointEvery = 5, Seed = 9 };

        TrainingResult Train(string dir, bool resume, IProgress<TrainingProgress>? progress = null)
        {
            using var scope = NewDisposeScope();
            var model = TinyLlama.Create(5);
            var loop = new TrainingLoop(model, options, data.TrainSequences(24), data.ValidationSequences(24), 256, tmp.Combine(dir)) { Progress = progress };
            return loop.Run(resume);
        }

        var straight = Train("a", false);
        // Crash at step 12: the checkpoint at 10 is the last one written.
        Assert.Throws<InvalidOperationException>(() => Train("b", false, new Crash(12)));
        var resumed = Train("b", resume: true);

        Assert.Equal(16, resumed.State.History.Count);
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal(straight.State.History[i].Step, resumed.State.History[i].Step);
            Assert.Equal(straight.State.History[i].Loss, resumed.State.History[i].Loss, 4);
            Assert.Equal(straight.State.History[i].LearningRate, resumed.State.History[i].LearningRate, 12);
        }
        Assert.Equal(straight.ValidationLoss!.Value, resumed.ValidationLoss!.Value, 4);
        var metrics = File.ReadAllLines(tmp.Combine("b/metrics.jsonl"));
        Assert.Equal(16, metrics.Length); // steps 11-12 of the killed run were dropped, then redone
    }

    [Fact]
    public void A_corrupted_checkpoint_is_skipped_for_the_previous_intact_one()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        using var data = Prepare(tmp, Corpus);
        using var scope = NewDisposeScope();
        var options = new TrainerOptions { Steps = 6, BatchSize = 2, SeqLen = 16, EvalEvery = 0, CheckpointEvery = 3, KeepCheckpoints = 2 };
        new TrainingLoop(TinyLlama.Create(1), options, data.TrainSequences(16), null, 256, tmp.Combine("run")).Run(false);
        var store = new CheckpointStore(tmp.Combine("run"));
        Assert.Equal(6, store.LoadLatest()!.Value.State.Step);
        var weights = tmp.Combine("run/checkpoints/step-000006/trainable.safetensors");
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(weights, bytes);
        Assert.False(CheckpointStore.Verify(tmp.Combine("run/checkpoints/step-000006")));
        Assert.Equal(3, store.LoadLatest()!.Value.State.Step);
    }

    [Fact]
    public void Non_finite_loss_stops_with_a_clear_message_and_keeps_the_last_good_checkpoint()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        using var data = Prepare(tmp, Corpus);
        using var scope = NewDisposeScope();
        var inner = TinyLlama.Create(1);
        var poison = new Poisonable(inner);
        var options = new TrainerOptions { Steps = 10, BatchSize = 2, SeqLen = 16, EvalEvery = 0, CheckpointEvery = 2 };
        var loop = new TrainingLoop(poison, options, data.TrainSequences(16), null, 256, tmp.Combine("run"))
        {
            Progress = new Callback(p => { if (p.Step == 4) poison.Poisoned = true; }),
        };
        var ex = Assert.Throws<TrainingDivergedException>(() => loop.Run(false));
        Assert.Contains("diverged at step 5", ex.Message, StringComparison.Ordinal);
        Assert.Contains("step-000004", ex.Hint, StringComparison.Ordinal);
        Assert.IsAssignableFrom<LeverUserException>(ex);
        var latest = new CheckpointStore(tmp.Combine("run")).LoadLatest()!.Value;
        Assert.Equal(4, latest.State.Step);
        Assert.All(latest.Weights.Values, t => Assert.True(t.isfinite().all().item<bool>()));
        // The live weights were not updated by the poisoned step either.
        Assert.All(inner.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
    }

    [Fact]
    public void Early_stopping_ends_the_run_and_the_best_checkpoint_is_the_best_evaluation()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        // Train on one string, validate on another: validation loss gets worse as training fits the first.
        using var train = Prepare(tmp, string.Join("\n", Enumerable.Range(0, 30).Select(i => $"{{\"text\":\"aaaaaaaaaaaaaaaaaaaa {i}\"}}")), 0, "train");
        using var val = Prepare(tmp, string.Join("\n", Enumerable.Range(0, 8).Select(i => $"{{\"text\":\"zyxwvutsrqponmlk {i}\"}}")), 0, "val");
        using var scope = NewDisposeScope();
        var options = new TrainerOptions { Steps = 200, BatchSize = 4, SeqLen = 16, LearningRate = 1e-2, EvalEvery = 5, EarlyStoppingPatience = 2, CheckpointEvery = 100, WarmupSteps = 1 };
        var loop = new TrainingLoop(TinyLlama.Create(1), options, train.TrainSequences(16), val.TrainSequences(16), 256, tmp.Combine("run"));
        var result = loop.Run(false);
        Assert.Equal(TrainingStop.EarlyStopped, result.Stop);
        Assert.True(result.State.Step < 200);
        var evals = result.State.History.Where(h => h.ValidationLoss is not null).ToList();
        var best = evals.MinBy(h => h.ValidationLoss!.Value)!;
        Assert.Equal(best.Step, result.State.BestStep);
        Assert.Equal(result.State.Step, evals[^1].Step);
        Assert.True(evals.TakeLast(2).All(e => e.ValidationLoss > best.ValidationLoss));
    }

    [Fact]
    public void Sampler_is_a_pure_function_of_the_step_covers_each_epoch_once_and_mixes_replay_at_its_fraction()
    {
        var main = new ListSource(Enumerable.Range(0, 50).Select(i => new TokenizedExample([i, i], [i, i])).ToList());
        var general = new ListSource(Enumerable.Range(1000, 20).Select(i => new TokenizedExample([i, i], [i, i])).ToList());
        var a = new BatchSampler(main, 5, 2, seed: 3);
        var epoch = Enumerable.Range(1, 5).SelectMany(step => Enumerable.Range(0, 2).SelectMany(m => a.MicroBatch(step, m))).Select(e => e.InputIds[0]).ToList();
        Assert.Equal(Enumerable.Range(0, 50), epoch.Order()); // steps 1-5 × 2 micro × 5 rows = one permutation of all 50
        Assert.NotEqual(Enumerable.Range(0, 50), epoch);
        // A fresh sampler (as after a restart) asked for step 4 gives the same rows.
        Assert.Equal(a.MicroBatch(4, 1).Select(e => e.InputIds[0]), new BatchSampler(main, 5, 2, seed: 3).MicroBatch(4, 1).Select(e => e.InputIds[0]));
        Assert.Equal(10, BatchSampler.StepsForEpochs(2, 50, 5, 2));

        var mixed = new BatchSampler(main, 10, 1, seed: 3, general, 0.25);
        var rows = Enumerable.Range(1, 100).SelectMany(step => mixed.MicroBatch(step, 0)).Select(e => e.InputIds[0]).ToList();
        Assert.InRange(rows.Count(id => id >= 1000) / 1000.0, 0.22, 0.28);
    }

    private sealed class ListSource(List<TokenizedExample> items) : ISequenceSource
    {
        public int Count => items.Count;
        public TokenizedExample Get(int index) => items[index];
    }

    private sealed class Crash(int atStep) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step == atStep) throw new InvalidOperationException("simulated crash");
        }
    }

    private sealed class Callback(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }

    /// <summary>Wraps a model and, once poisoned, returns NaN logits (a stand-in for a diverging step).</summary>
    private sealed class Poisonable : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> inner;

        public Poisonable(nn.Module<Tensor, Tensor> inner) : base(nameof(Poisonable))
        {
            this.inner = inner;
            RegisterComponents();
        }

        public bool Poisoned { get; set; }

        public override Tensor forward(Tensor x) => Poisoned ? inner.call(x) * float.NaN : inner.call(x);
    }
}
