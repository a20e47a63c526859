using Lever.Engine.Modules;
using Lever.Training.Lora;
using Lever.Training.Precision;
using Lever.Training.Runs;
using Lever.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace Lever.Training.Tests;

/// <summary>Activation checkpointing recomputes each decoder block in the backward and must give the same gradients.</summary>
[Collection(GlobalRngCollection.Name)]
public sealed class GradientCheckpointingTests
{
    [Theory]
    [InlineData("full", false)]
    [InlineData("lora", false)]
    [InlineData("qlora", false)]
    [InlineData("lora", true)]
    public void Checkpointed_gradients_equal_the_plain_ones(string method, bool bf16)
    {
        using var scope = NewDisposeScope();
        LlamaForCausalLM Make()
        {
            var m = TinyLlama.Create(21);
            if (method != "full")
            {
                // Dropout on: the recomputation must draw the same masks as the forward did.
                LoraInjector.Inject(m, new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0.2 }, seed: 3, quantizeBase: method == "qlora");
                using (no_grad())
                    foreach (var (_, layer) in LoraInjector.LoraLayers(m)) layer.B(LoraInjector.DefaultAdapter).weight!.normal_(0, 0.05, new Generator(4));
            }
            if (bf16) Bf16Autocast.Apply(m);
            m.train();
            return m;
        }
        var ids = randint(0, 256, [3, 20], generator: new Generator(8));
        (double Loss, Dictionary<string, Tensor> Grads) Step(LlamaForCausalLM m)
        {
            random.manual_seed(5);
            var loss = Collator.SummedLoss(m.call(ids), ids) / ids.numel();
            loss.backward();
            var grads = m.named_parameters().Where(p => p.parameter.requires_grad).ToDictionary(p => p.name, p => p.parameter.grad!.clone());
            return (loss.item<float>(), grads);
        }

        var plain = Step(Make());
        var model = Make();
        GradientCheckpointing.Enable(model);
        Assert.True(GradientCheckpointing.IsEnabled(model));
        var checkpointed = Step(model);

        Assert.Equal(plain.Loss, checkpointed.Loss, 6);
        Assert.Equal(plain.Grads.Keys.Order(), checkpointed.Grads.Keys.Order());
        // 2 layers × 7 adapted projections × (A, B)
        Assert.Equal(method == "full" ? model.parameters().Count() : 2 * 7 * 2, checkpointed.Grads.Count);
        foreach (var (name, g) in plain.Grads)
        {
            Assert.True(g.abs().max().item<float>() > 0, $"{name} got no gradient");
            var diff = (checkpointed.Grads[name] - g).abs().max().item<float>();
            Assert.True(diff <= 1e-5, $"{name}: max |checkpointed - plain| = {diff}");
        }

        // Evaluation (no graph) is unchanged.
        model.eval();
        GradientCheckpointing.Disable(model);
        using (no_grad())
        {
            var reference = model.call(ids);
            GradientCheckpointing.Enable(model);
            Assert.True(TensorAssert.Same(model.call(ids), reference));
        }
    }

    [Fact]
    public void A_checkpointed_lever_train_run_follows_the_plain_runs_loss_curve()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        var baseDir = RunTests.MakeBase(tmp);
        var data = RunTests.Sums(tmp);
        // Explicit on/off for both memory settings: the defaults chosen by MemoryPlan must not change the losses.
        TrainingSummary Run(string output, bool checkpointing) => TrainingRun.Run(new TrainingRunOptions
        {
            Method = TrainingMethod.Lora, Model = baseDir, Data = data, Output = tmp.Combine(output),
            GradientCheckpointing = checkpointing, ReturnFreedMemory = checkpointing,
            Trainer = new TrainerOptions { Steps = 6, BatchSize = 4, SeqLen = 24, LearningRate = 1e-2, EvalEvery = 6, CheckpointEvery = 6 },
            Lora = new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0.1 },
        }, resume: false);

        var plain = Run("plain", false);
        var checkpointed = Run("ckpt", true);
        Assert.False(plain.GradientCheckpointing);
        Assert.True(checkpointed.GradientCheckpointing);
        Assert.Equal(OperatingSystem.IsLinux(), checkpointed.ReturnFreedMemory);
        Assert.False(plain.ReturnFreedMemory);
        var a = File.ReadAllLines(tmp.Combine("plain/metrics.jsonl")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("Loss").GetDouble()).ToList();
        var b = File.ReadAllLines(tmp.Combine("ckpt/metrics.jsonl")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("Loss").GetDouble()).ToList();
        Assert.Equal(6, b.Count);
        for (int i = 0; i < 6; i++) Assert.Equal(a[i], b[i], 6);
        Assert.True(a[^1] < a[0]);
        Assert.Equal(plain.ValidationLoss!.Value, checkpointed.ValidationLoss!.Value, 6);
    }
}
