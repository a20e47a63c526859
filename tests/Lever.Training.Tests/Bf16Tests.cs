using Lever.Core;
using Lever.Engine.Modules;
using Lever.Training.Data;
using Lever.Training.Lora;
using Lever.Training.Precision;
using Lever.Training.Runs;
using Lever.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace Lever.Training.Tests;

/// <summary>bfloat16 autocast over float32 master weights: forward accuracy, float32 gradients, training quality, detection.</summary>
public sealed class Bf16Tests
{
    private static Tensor Ids(long seed) => randint(0, 256, [2, 24], generator: new Generator((ulong)seed));

    [Fact]
    public void Bf16_logits_are_within_bfloat16_tolerance_of_f32_and_removing_autocast_restores_f32_exactly()
    {
        using var scope = NewDisposeScope();
        var model = TinyLlama.Create(11);
        model.eval();
        var x = Ids(1);
        var names = model.state_dict().Keys.ToList();
        var f32 = model.call(x).detach().clone();

        Bf16Autocast.Apply(model);
        Assert.True(Bf16Autocast.IsApplied(model));
        Assert.Equal(names, model.state_dict().Keys.ToList());                 // checkpoints see the same tensors
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        var bf16 = model.call(x).detach();
        Assert.Equal(ScalarType.Float32, bf16.dtype);                           // logits (and the loss) are float32

        // bfloat16 keeps 8 significant bits (relative step 2^-8 = 0.4%); through a few layers of rounding the logits
        // stay within 2% of their range. They must also differ: the matmuls really ran in bfloat16.
        var diff = (bf16 - f32).abs().max().item<float>();
        var range = f32.abs().max().item<float>();
        Assert.True(diff > 0, "autocast changed nothing: the matmuls did not run in bfloat16");
        Assert.True(diff <= 0.02 * range, $"max |bf16 - f32| = {diff}, logit range {range}");

        Bf16Autocast.Remove(model);
        Assert.False(Bf16Autocast.IsApplied(model));
        Assert.True(TensorAssert.Same(model.call(x), f32));
    }

    [Theory]
    [InlineData("full")]
    [InlineData("lora")]
    [InlineData("qlora")]
    public void Bf16_backward_puts_float32_gradients_on_the_float32_master_parameters(string method)
    {
        using var scope = NewDisposeScope();
        LlamaForCausalLM Make()
        {
            var m = TinyLlama.Create(12);
            if (method == "full") return m;
            LoraInjector.Inject(m, new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0 }, seed: 3, quantizeBase: method == "qlora", doubleQuantize: true);
            // B starts at zero, which would make every A gradient zero: give B values so both matrices get a gradient.
            using (no_grad())
                foreach (var (_, layer) in LoraInjector.LoraLayers(m)) layer.B(LoraInjector.DefaultAdapter).weight!.normal_(0, 0.02, new Generator(4));
            return m;
        }
        var reference = Make();
        var mixed = Make();
        Bf16Autocast.Apply(mixed);
        var ids = Ids(2);
        foreach (var m in new[] { reference, mixed })
        {
            var logits = m.call(ids);
            (Collator.SummedLoss(logits, ids) / ids.numel()).backward();
        }

        var expected = reference.named_parameters().Where(p => p.parameter.requires_grad).ToDictionary(p => p.name, p => p.parameter);
        var trained = mixed.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        Assert.Equal(expected.Keys.Order(), trained.Select(p => p.name).Order());
        if (method != "full") Assert.All(trained, p => Assert.Contains(".lora_", p.name, StringComparison.Ordinal));
        foreach (var (name, p) in trained)
        {
            Assert.Equal(ScalarType.Float32, p.dtype);
            Assert.NotNull(p.grad);
            Assert.Equal(ScalarType.Float32, p.grad!.dtype);
            var g = p.grad!.flatten();
            var r = expected[name].grad!.flatten();
            // Same direction as the float32 gradient (cosine similarity), and the same size within a few percent.
            var cosine = (g.dot(r) / (g.norm() * r.norm() + 1e-30f)).item<float>();
            Assert.True(cosine > 0.99, $"{name}: cosine {cosine} between bf16 and f32 gradients");
            Assert.InRange((g.norm() / r.norm()).item<float>(), 0.95f, 1.05f);
        }
    }

    [Fact]
    public void Bf16_training_lowers_the_loss_like_f32_training()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        var corpus = string.Join("\n", Enumerable.Range(0, 60).Select(i =>
            $"{{\"text\":\"the cat sat on the mat. the dog sat on the log. number {i % 7} is {(i % 7) * 2} halved.\"}}"));
        using var data = DatasetBuilder.Prepare(tmp.Write("data.jsonl", corpus), null, new ExampleEncoder(new ByteTokenizer()), tmp.Combine("data"), 1, 0.15);
        var options = new TrainerOptions { Steps = 40, BatchSize = 8, SeqLen = 32, LearningRate = 1e-2, EvalEvery = 40, CheckpointEvery = 40, Seed = 3 };

        (double Start, double End, double Val) Train(string dir, bool bf16)
        {
            using var scope = NewDisposeScope();
            var model = TinyLlama.Create(7);
            if (bf16) Bf16Autocast.Apply(model);
            var loop = new TrainingLoop(model, options, data.TrainSequences(32), data.ValidationSequences(32), 256, tmp.Combine(dir));
            var result = loop.Run(resume: false);
            var h = result.State.History;
            return (h[0].Loss, h.TakeLast(5).Average(s => s.Loss), result.ValidationLoss!.Value);
        }

        var f32 = Train("f32", false);
        var bf16 = Train("bf16", true);
        // Both runs learn (loss well under half the start, which is about ln 258 = 5.55), and bfloat16 ends within
        // 0.1 nats (and 5%) of float32 on the training and the validation loss.
        Assert.True(bf16.End < 0.5 * bf16.Start, $"bf16 loss {bf16.Start} -> {bf16.End}");
        Assert.True(f32.End < 0.5 * f32.Start, $"f32 loss {f32.Start} -> {f32.End}");
        Assert.InRange(bf16.End - f32.End, -Math.Max(0.1, 0.05 * f32.End), Math.Max(0.1, 0.05 * f32.End));
        Assert.InRange(bf16.Val - f32.Val, -Math.Max(0.1, 0.05 * f32.Val), Math.Max(0.1, 0.05 * f32.Val));
        Assert.NotEqual(f32.End, bf16.End); // the two runs really computed differently
    }

    [Fact]
    public void Cpu_detection_reads_the_x86_and_arm_flags()
    {
        Assert.True(Bf16Support.CpuInfoHasBf16("processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16 amx_tile\n"));
        Assert.True(Bf16Support.CpuInfoHasBf16("flags\t\t: fpu avx512f amx_bf16 amx_tile\n"));
        Assert.True(Bf16Support.CpuInfoHasBf16("Features\t: fp asimd bf16 i8mm\n"));
        Assert.False(Bf16Support.CpuInfoHasBf16("flags\t\t: fpu avx2 avx512f avx512bw avx512_vnni\n"));
        Assert.False(Bf16Support.CpuInfoHasBf16("model name\t: bf16 marketing name\nflags\t\t: fpu avx2\n"));
    }

    [Fact]
    public void A_bf16_run_records_its_precision_or_is_refused_with_a_clear_error_where_unsupported()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        var options = new TrainingRunOptions
        {
            Method = TrainingMethod.Lora, Model = RunTests.MakeBase(tmp), Data = RunTests.Sums(tmp), Output = tmp.Combine("out"),
            Trainer = new TrainerOptions { Steps = 4, BatchSize = 4, SeqLen = 24, LearningRate = 1e-2, EvalEvery = 4, CheckpointEvery = 4, Precision = TrainingPrecision.Bf16 },
            Lora = new LoraOptions { Rank = 4, Alpha = 8 },
        };
        if (Bf16Support.WhyUnsupported() is { } reason)
        {
            var error = Assert.Throws<LeverUserException>(() => TrainingRun.Run(options, resume: false));
            Assert.StartsWith("--precision bf16: ", error.Message, StringComparison.Ordinal);
            Assert.Contains(reason, error.Message, StringComparison.Ordinal);
            Assert.Contains("--precision f32", error.Hint, StringComparison.Ordinal);
            return;
        }
        var summary = TrainingRun.Run(options, resume: false);
        Assert.Equal("bf16", summary.Precision);
        Assert.Equal(4, summary.Steps);
        Assert.True(double.IsFinite(summary.ValidationLoss!.Value));
        Assert.Contains("\"Precision\": \"bf16\"", File.ReadAllText(tmp.Combine("out/run.json")), StringComparison.Ordinal); // --resume keeps it
        using var adapter = SafeTensorsOf(tmp.Combine("out/adapter_model.safetensors"));
        Assert.All(adapter.Tensors.Values, t => Assert.Equal("F32", t.Dtype));                                             // saved in float32
    }

    private static Engine.Checkpoints.SafeTensorsFile SafeTensorsOf(string path) => Engine.Checkpoints.SafeTensorsFile.Open(path);
}
