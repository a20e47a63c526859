// A LoRA-wrapped linear layer (Hu et al. 2021), shaped like PEFT's lora.Linear: it wraps, never subclasses, the base
// projection (a dense nn.Linear or an NF4 one for QLoRA) and adds B(A(dropout(x)))·scaling. A is Kaiming-uniform and
// B zero, so a fresh adapter changes nothing. Adapters live in dictionaries keyed by name, so several share one base
// and the active one is chosen per request.
using Lever.Training.Internal;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lever.Training.Lora;

/// <summary>base_layer(x) + lora_B[a](lora_A[a](dropout(x))) · scaling[a] for the active adapter a.</summary>
public sealed class LoraLinear : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> _base;
    private readonly AdapterDict _a = new();
    private readonly AdapterDict _b = new();
    private readonly Dictionary<string, (double Scaling, double Dropout)> _settings = new(StringComparer.Ordinal);

    /// <summary>Wraps <paramref name="baseLayer"/> (an nn.Linear or <see cref="Nf4Linear"/>); adds no adapter yet.</summary>
    public LoraLinear(nn.Module<Tensor, Tensor> baseLayer) : base(nameof(LoraLinear))
    {
        _base = baseLayer;
        (InFeatures, OutFeatures) = baseLayer switch
        {
            Linear l => (l.in_features, l.out_features),
            Nf4Linear q => (q.InFeatures, q.OutFeatures),
            _ => throw new ArgumentException($"LoRA wraps a Linear or Nf4Linear, not {baseLayer.GetType().Name}", nameof(baseLayer)),
        };
        // HF/PEFT state-dict names: <module>.base_layer.weight, <module>.lora_A.<adapter>.weight, ...
        register_module("base_layer", _base);
        register_module("lora_A", _a);
        register_module("lora_B", _b);
    }

    /// <summary>The wrapped projection.</summary>
    public nn.Module<Tensor, Tensor> BaseLayer => _base;

    /// <summary>Input width.</summary>
    public long InFeatures { get; }

    /// <summary>Output width.</summary>
    public long OutFeatures { get; }

    /// <summary>The adapter used by <see cref="forward"/>, or null for the bare base layer.</summary>
    public string? ActiveAdapter { get; set; }

    /// <summary>
    /// Autocast: when set (bfloat16), the base matmul and the adapter's run in this dtype, the float32 weights cast
    /// for the call (gradients still reach them in float32); null computes in the input's dtype.
    /// </summary>
    public ScalarType? ComputeType { get; set; }

    /// <summary>Names of the adapters held.</summary>
    public IReadOnlyCollection<string> Adapters => _settings.Keys;

    /// <summary>Scaling of adapter <paramref name="name"/>.</summary>
    public double Scaling(string name) => _settings[name].Scaling;

    /// <summary>lora_A of adapter <paramref name="name"/>: (r, in).</summary>
    public Linear A(string name) => _a[name];

    /// <summary>lora_B of adapter <paramref name="name"/>: (out, r).</summary>
    public Linear B(string name) => _b[name];

    /// <summary>Adds adapter <paramref name="name"/>: A Kaiming-uniform from <paramref name="generator"/>, B zero. Makes it active.</summary>
    public void AddAdapter(string name, LoraOptions options, Generator? generator = null)
    {
        if (_settings.ContainsKey(name)) throw new InvalidOperationException($"adapter '{name}' already exists on this layer");
        var device = BaseDevice();
        var a = nn.Linear(InFeatures, options.Rank, hasBias: false, device: device);
        var b = nn.Linear(options.Rank, OutFeatures, hasBias: false, device: device);
        using (no_grad())
        {
            // PEFT's init: kaiming_uniform_(a=√5) on A, whose bound is gain·√(3/fan_in) = √(2/(1+5))·√(3/in) = 1/√in; B zeros.
            var bound = 1.0 / Math.Sqrt(InFeatures);
            a.weight!.uniform_(-bound, bound, generator);
            b.weight!.zero_();
        }
        _a.Add(name, a);
        _b.Add(name, b);
        _settings[name] = (options.Scaling, options.Dropout);
        ActiveAdapter = name;
    }

    /// <summary>Removes adapter <paramref name="name"/> (the base is untouched).</summary>
    public void RemoveAdapter(string name)
    {
        if (!_settings.Remove(name)) return;
        _a.Remove(name);
        _b.Remove(name);
        if (ActiveAdapter == name) ActiveAdapter = null;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        if (ComputeType is { } ct) x = x.to(ct);
        var y = ComputeType is { } c && _base is Linear dense
            ? Autocast.Linear(x, dense.weight!, dense.bias, c)                // (..., out)
            : _base.call(x);                                                  // (..., out); NF4 follows x's dtype
        if (ActiveAdapter is not { } name || !_settings.TryGetValue(name, out var s)) return y;
        var h = s.Dropout > 0 ? nn.functional.dropout(x, s.Dropout, training) : x;
        var delta = ComputeType is { } t
            ? Autocast.Linear(Autocast.Linear(h, _a[name].weight!, null, t), _b[name].weight!, null, t)
            : _b[name].call(_a[name].call(h.to(_a[name].weight!.dtype)));  // (..., r) → (..., out)
        return y + delta.mul(s.Scaling).to(y.dtype);
    }

    /// <summary>ΔW = B·A·scaling of adapter <paramref name="name"/>, computed in float32: (out, in).</summary>
    public Tensor Delta(string name)
    {
        var s = _settings[name];
        return _b[name].weight!.to(ScalarType.Float32).matmul(_a[name].weight!.to(ScalarType.Float32)).mul(s.Scaling);
    }

    private Device BaseDevice() => _base switch
    {
        Linear l => l.weight!.device,
        Nf4Linear q => q.Device,
        _ => CPU,
    };

    /// <summary>Registration is explicit (PEFT names), so the reflective field scan must not add fields again.</summary>
    protected override void RegisterComponents() { }
}
