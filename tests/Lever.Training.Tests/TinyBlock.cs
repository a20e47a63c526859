using static TorchSharp.torch;

namespace Lever.Training.Tests;

/// <summary>
/// A two-projection module that follows the engine's contract (public settable projections re-registered under
/// their HF names), so LoRA injection is tested without the engine.
/// </summary>
internal sealed class TinyBlock : nn.Module<Tensor, Tensor>
{
    private nn.Module<Tensor, Tensor> _q;
    private nn.Module<Tensor, Tensor> _v;
    private readonly TorchSharp.Modules.Linear _other;

    public TinyBlock(int width, long seed) : base(nameof(TinyBlock))
    {
        random.manual_seed(seed);
        _q = nn.Linear(width, width, hasBias: true);
        _v = nn.Linear(width, 2 * width, hasBias: false);
        _other = nn.Linear(2 * width, 3);
        register_module("q_proj", _q);
        register_module("v_proj", _v);
        register_module("head", _other);
    }

    public nn.Module<Tensor, Tensor> QProj { get => _q; set => _q = Replace("q_proj", value); }
    public nn.Module<Tensor, Tensor> VProj { get => _v; set => _v = Replace("v_proj", value); }

    public override Tensor forward(Tensor x) => _other.call(_v.call(nn.functional.silu(_q.call(x))));

    private T Replace<T>(string name, T value) where T : nn.Module
    {
        register_module(name, null!);
        register_module(name, value);
        return value;
    }

    protected override void RegisterComponents() { }
}

/// <summary>Two TinyBlocks under "layers.N", so paths are nested like a real model's.</summary>
internal sealed class TinyStack : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.ModuleList<TinyBlock> layers;

    public TinyStack(int width, long seed) : base(nameof(TinyStack))
    {
        layers = new TorchSharp.Modules.ModuleList<TinyBlock>(new TinyBlock(width, seed), new TinyBlock(width, seed + 1));
        register_module("layers", layers);
    }

    public TinyBlock this[int i] => layers[i];

    public override Tensor forward(Tensor x) => layers[0].call(x) + layers[1].call(x);

    protected override void RegisterComponents() { }
}
