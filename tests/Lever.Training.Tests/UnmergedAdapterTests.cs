using Lever.Engine.Checkpoints;
using Lever.Engine.Generation;
using Lever.Engine.Tokenizers;
using Lever.Training.Lora;
using Lever.Training.Runs;
using Lever.Training.Trainer;
using static TorchSharp.torch;

namespace Lever.Training.Tests;

/// <summary>Adapters applied unmerged on a shared base (multi-adapter serving) give the merged model's outputs.</summary>
public sealed class UnmergedAdapterTests
{
    private static readonly string[] Prompts = ["12 plus 7 is", "3 plus 40 is", "the cat", "25 plus 25 is"];

    [Fact]
    public void A_trained_adapter_unmerged_on_the_shared_base_decodes_as_the_merged_model_alone_and_batched_with_others()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        var baseDir = RunTests.MakeBase(tmp);
        TrainingRun.Run(new TrainingRunOptions
        {
            Method = TrainingMethod.Lora, Model = baseDir, Data = RunTests.Sums(tmp), Output = tmp.Combine("sums"),
            Trainer = new TrainerOptions { Steps = 30, BatchSize = 8, SeqLen = 32, LearningRate = 1e-2, EvalEvery = 0, CheckpointEvery = 30 },
            Lora = new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0 },
        }, resume: false);
        var greedy = new GenerationOptions { MaxTokens = 12, Temperature = 0 };

        // The merged model: what `lever adapter merge` and the `adapter:` provider field give.
        var merged = HfCheckpoint.Load(baseDir);
        PeftAdapter.Load(merged, tmp.Combine("sums"));
        AdapterMerger.Merge(merged);
        using var mergedGen = new TextGenerator(merged, ModelTokenizer.Load(baseDir), ownsModel: true);
        var expected = Prompts.Select(p => mergedGen.Generate(p, greedy)).ToList();

        using var shared = TextGenerator.Load(baseDir);
        using var adapter = PeftAdapter.LoadUnmerged(shared.Model, tmp.Combine("sums"), "sums");
        Assert.Equal(2 * 7, adapter.Count);
        Assert.Equal(2L * 4 * ((64 + 64) + 2 * (64 + 32) + (64 + 64) + 2 * (64 + 128) + (128 + 64)) * 4, adapter.Bytes);
        var baseAnswers = Prompts.Select(p => shared.Generate(p, greedy)).ToList();
        // The base runs first with the same prompts, so its prefix-cache entries must not be reused under the adapter.
        var unmerged = Prompts.Select(p => shared.Generate(p, greedy with { Adapter = adapter })).ToList();
        for (var i = 0; i < Prompts.Length; i++) Assert.Equal(expected[i].TokenIds, unmerged[i].TokenIds);
        Assert.Contains(Enumerable.Range(0, Prompts.Length), i => !baseAnswers[i].TokenIds.SequenceEqual(expected[i].TokenIds));

        // Logits too: the unmerged delta equals the merged weights within float rounding.
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var ids = tensor(shared.Tokenizer.Encode(Prompts[0]).Select(t => (long)t).ToArray()).unsqueeze(0);
            var weights = Engine.Modules.DecodeWeights.TryBuild(shared.Model)!;
            using var rows = Engine.Modules.RowAdapters.All(adapter);
            var a = shared.Model.Forward(ids, null, null, false, weights, rows);
            var m = merged.Forward(ids, null, null);
            Assert.True((a - m).abs().max().item<float>() < 1e-4, $"max diff {(a - m).abs().max().item<float>()}");
            weights.Dispose();
        }

        // Batched: concurrent calls for the adapter and for the base share one forward per step, each row as alone.
        shared.MaxBatchSize = 8;
        var calls = Enumerable.Range(0, 8).Select(i => (Prompt: Prompts[i % 4], WithAdapter: i % 2 == 0)).ToList();
        var results = new GenerationResult[calls.Count];
        using var start = new Barrier(calls.Count);
        Parallel.For(0, calls.Count, new ParallelOptions { MaxDegreeOfParallelism = calls.Count }, i =>
        {
            start.SignalAndWait();
            results[i] = shared.Generate(shared.Tokenizer.Encode(calls[i].Prompt), calls[i].WithAdapter ? greedy with { Adapter = adapter } : greedy);
        });
        for (var i = 0; i < calls.Count; i++)
        {
            var want = calls[i].WithAdapter ? expected[i % 4] : baseAnswers[i % 4];
            Assert.Equal(want.TokenIds, results[i].TokenIds);
            Assert.Equal(want.Text, results[i].Text);
        }
    }

    [Fact]
    public void A_folder_that_is_not_an_adapter_for_this_base_is_one_clear_error()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        var baseDir = RunTests.MakeBase(tmp);
        using var model = HfCheckpoint.Load(baseDir);
        var missing = Assert.Throws<Core.LeverUserException>(() => PeftAdapter.LoadUnmerged(model, tmp.Combine("nope"), "x"));
        Assert.Contains("not a directory", missing.Message);
        var notAdapter = Assert.Throws<Core.LeverUserException>(() => PeftAdapter.LoadUnmerged(model, baseDir, "x"));
        Assert.Contains("adapter_config.json: not found", notAdapter.Message);

        // An adapter of another shape: rank-2 factors for a 32-wide model do not fit this 64-wide base.
        var other = TinyLlama.Create(1);
        LoraInjector.Inject(other, new LoraOptions { Rank = 2, Alpha = 4, TargetModules = ["q_proj"] });
        PeftAdapter.Save(tmp.Combine("other"), other, new LoraOptions { Rank = 2, Alpha = 4, TargetModules = ["q_proj"] }, null);
        var wrong = Assert.Throws<Core.LeverUserException>(() => PeftAdapter.LoadUnmerged(model, tmp.Combine("other"), "x"));
        Assert.Contains("do not fit", wrong.Message);
    }
}
