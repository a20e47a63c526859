using Lever.Core;
using Lever.Training.Lora;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lever.Training.Tests;

public sealed class LoraTests
{
    private static readonly LoraOptions NoDropout = new() { Rank = 4, Alpha = 8, Dropout = 0, TargetModules = ["q", "v"] };

    [Fact]
    public void An_untrained_adapter_changes_nothing()
    {
        using var scope = NewDisposeScope();
        var model = new TinyStack(8, 1);
        var x = randn(3, 5, 8, generator: new Generator(2));
        var before = model.call(x).detach().clone();
        LoraInjector.Inject(model, NoDropout with { Dropout = 0.3 });
        model.eval();
        Assert.True(TensorAssert.Same(model.call(x), before));
    }

    [Fact]
    public void Forward_is_base_plus_scaled_b_a_x_and_rslora_scales_by_root_r()
    {
        using var scope = NewDisposeScope();
        var dense = nn.Linear(6, 5);
        var lora = new LoraLinear(dense);
        lora.AddAdapter("x", new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0 }, new Generator(3));
        using (no_grad()) lora.B("x").weight!.normal_(0, 1, new Generator(4));
        var input = randn(2, 6, generator: new Generator(5));
        var a = lora.A("x").weight!;
        var b = lora.B("x").weight!;
        Assert.Equal([4L, 6L], a.shape);
        Assert.Equal([5L, 4L], b.shape);
        // A is Kaiming-uniform with bound 1/√in.
        Assert.True(a.abs().max().item<float>() <= 1 / Math.Sqrt(6) + 1e-6);
        Assert.True(a.abs().max().item<float>() > 0.2);
        var expected = dense.call(input) + input.matmul(a.t()).matmul(b.t()) * 2.0; // alpha/r = 8/4
        Assert.True(lora.call(input).allclose(expected, rtol: 1e-5, atol: 1e-6));

        Assert.Equal(2.0, new LoraOptions { Rank = 4, Alpha = 8 }.Scaling);
        Assert.Equal(4.0, new LoraOptions { Rank = 4, Alpha = 8, UseRsLora = true }.Scaling);
    }

    [Fact]
    public void Injection_finds_targets_by_name_and_only_adapters_train()
    {
        using var scope = NewDisposeScope();
        var model = new TinyStack(8, 1);
        var wrapped = LoraInjector.Inject(model, NoDropout);
        Assert.Equal(["layers.0.q_proj", "layers.0.v_proj", "layers.1.q_proj", "layers.1.v_proj"], wrapped.Keys.Order(StringComparer.Ordinal));
        Assert.IsType<LoraLinear>(model[0].QProj);

        var trainable = LoraInjector.Trainable(model).Select(t => t.Name).ToList();
        Assert.Equal(8, trainable.Count);
        Assert.All(trainable, n => Assert.Matches(@"^layers\.\d\.(q|v)_proj\.lora_(A|B)\.default\.weight$", n));
        Assert.Contains(model.named_parameters(), p => p.name == "layers.0.q_proj.base_layer.weight" && !p.parameter.requires_grad);

        // After a backward pass, only adapter weights have gradients (B gets one first; A needs B ≠ 0).
        model.call(randn(2, 8, generator: new Generator(9))).sum().backward();
        foreach (var (name, p) in model.named_parameters())
            Assert.Equal(name.Contains("lora_B", StringComparison.Ordinal), p.grad is not null && p.grad.abs().sum().item<float>() > 0);

        Assert.Throws<LeverUserException>(() => LoraInjector.Inject(new TinyStack(8, 1), NoDropout with { TargetModules = ["gate"] }));
    }

    [Fact]
    public void Several_adapters_share_one_base_and_are_chosen_per_request()
    {
        using var scope = NewDisposeScope();
        var model = new TinyStack(8, 1);
        var x = randn(2, 8, generator: new Generator(9));
        var baseOut = model.call(x).detach().clone();
        LoraInjector.Inject(model, NoDropout, "math", seed: 1);
        LoraInjector.Inject(model, NoDropout with { TargetModules = ["q"] }, "style", seed: 2);
        using (no_grad())
        {
            foreach (var (_, layer) in LoraInjector.LoraLayers(model))
                foreach (var name in layer.Adapters) layer.B(name).weight!.normal_(0, 0.5, new Generator((ulong)name.Length));
        }
        LoraInjector.SetActiveAdapter(model, "math");
        var math = model.call(x).detach().clone();
        LoraInjector.SetActiveAdapter(model, "style");
        var style = model.call(x).detach().clone();
        LoraInjector.SetActiveAdapter(model, null);
        Assert.True(TensorAssert.Same(model.call(x), baseOut));
        Assert.False(math.allclose(style));
        Assert.False(math.allclose(baseOut));
        LoraInjector.SetActiveAdapter(model, "math");
        Assert.True(TensorAssert.Same(model.call(x), math));
        Assert.Throws<LeverUserException>(() => LoraInjector.SetActiveAdapter(model, "nope"));
    }

    [Fact]
    public void Merging_gives_the_same_outputs_and_refuses_non_finite_deltas()
    {
        using var scope = NewDisposeScope();
        var model = new TinyStack(8, 1);
        LoraInjector.Inject(model, NoDropout);
        using (no_grad())
            foreach (var (_, layer) in LoraInjector.LoraLayers(model)) layer.B("default").weight!.normal_(0, 0.3, new Generator(7));
        var x = randn(4, 8, generator: new Generator(9));
        var adapted = model.call(x).detach().clone();

        var broken = new TinyStack(8, 1);
        LoraInjector.Inject(broken, NoDropout);
        var q1 = (LoraLinear)broken[1].QProj;
        var original = ((Linear)q1.BaseLayer).weight!.detach().clone();
        using (no_grad()) q1.B("default").weight![0, 0] = float.NaN;
        Assert.Throws<LeverUserException>(() => AdapterMerger.Merge(broken));
        Assert.True(TensorAssert.Same(((Linear)((LoraLinear)broken[1].QProj).BaseLayer).weight!, original)); // untouched

        Assert.Equal(4, AdapterMerger.Merge(model));
        Assert.IsType<Linear>(model[0].QProj);
        Assert.DoesNotContain(model.named_parameters(), p => p.name.Contains("lora", StringComparison.Ordinal));
        Assert.Contains(model.named_parameters(), p => p.name == "layers.0.q_proj.weight");
        Assert.True(model.call(x).allclose(adapted, rtol: 0, atol: 1e-5));
    }
}
