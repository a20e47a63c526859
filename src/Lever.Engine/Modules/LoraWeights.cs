// A LoRA adapter kept apart from the base weights (unmerged), for serving many adapters on one base: the base's
// projections stay shared and each adapter adds its low-rank delta per request, y = W·x + scaling·B·(A·x)
// (Hu et al. 2021), which is what vLLM's and LoRAX's multi-LoRA serving do. Memory is base + Σ adapters instead of one
// merged copy per adapter. Stored in the decode layout: Aᵀ (in, r) and (scaling·B)ᵀ (r, out), contiguous.
using Lever.Engine.Internal;
using static TorchSharp.torch;

namespace Lever.Engine.Modules;

/// <summary>One adapter's low-rank factors per layer and projection, applied unmerged on a shared base (see <see cref="RowAdapters"/>).</summary>
public sealed class LoraWeights : IDisposable
{
    private readonly Dictionary<(int Layer, string Kind), LoraFactor> _factors;

    private LoraWeights(string name, Dictionary<(int, string), LoraFactor> factors, int layers)
    {
        Name = name;
        _factors = factors;
        LayerCount = layers;
        Bytes = factors.Values.Sum(f => (f.AT.numel() + f.BT.numel()) * f.AT.element_size());
    }

    /// <summary>The adapter's name (diagnostics and prefix-cache keys).</summary>
    public string Name { get; }

    /// <summary>Decoder layers of the model it was built for.</summary>
    public int LayerCount { get; }

    /// <summary>Bytes of its factors (the memory one more served adapter costs).</summary>
    public long Bytes { get; }

    /// <summary>Number of adapted projections.</summary>
    public int Count => _factors.Count;

    /// <summary>
    /// Builds the adapter for <paramref name="model"/> from its factors by projection path (HF names such as
    /// <c>model.layers.0.self_attn.q_proj</c>): A (r, in) and B (out, r), as PEFT stores them, and the scaling
    /// (alpha/r, or alpha/√r for rsLoRA). Every path must be a q/k/v/o/gate/up/down projection of the model with matching shapes.
    /// </summary>
    public static LoraWeights Create(string name, LlamaForCausalLM model, IReadOnlyDictionary<string, (Tensor A, Tensor B)> factors, double scaling)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(factors);
        var config = model.Config;
        var width = new Dictionary<string, (long In, long Out)>(StringComparer.Ordinal)
        {
            ["q_proj"] = (config.HiddenSize, config.NumAttentionHeads * config.HeadDim),
            ["k_proj"] = (config.HiddenSize, config.KeyValueHeads * config.HeadDim),
            ["v_proj"] = (config.HiddenSize, config.KeyValueHeads * config.HeadDim),
            ["o_proj"] = (config.NumAttentionHeads * config.HeadDim, config.HiddenSize),
            ["gate_proj"] = (config.HiddenSize, config.IntermediateSize),
            ["up_proj"] = (config.HiddenSize, config.IntermediateSize),
            ["down_proj"] = (config.IntermediateSize, config.HiddenSize),
        };
        var slots = model.Projections().ToDictionary(p => p.Name, p => p, StringComparer.Ordinal);
        var built = new Dictionary<(int, string), LoraFactor>();
        try
        {
            using var noGrad = no_grad();
            foreach (var (path, (a, b)) in factors)
            {
                if (!slots.TryGetValue(path, out var slot) || !width.TryGetValue(slot.Kind, out (long In, long Out) shape))
                    throw new ArgumentException($"{path}: not a q/k/v/o/gate/up/down projection of this model", nameof(factors));
                var rank = a.shape[0];
                if (a.dim() != 2 || b.dim() != 2 || a.shape[1] != shape.In || b.shape[0] != shape.Out || b.shape[1] != rank)
                    throw new ArgumentException($"{path}: lora_A [{string.Join(",", a.shape)}] and lora_B [{string.Join(",", b.shape)}] do not fit a [{shape.Out},{shape.In}] projection", nameof(factors));
                var layer = int.Parse(path.Split('.')[2], System.Globalization.CultureInfo.InvariantCulture);
                var at = a.detach().to(ScalarType.Float32).t().contiguous().clone().DetachFromDisposeScope();                       // (in, r)
                var bt = b.detach().to(ScalarType.Float32).mul(scaling).t().contiguous().clone().DetachFromDisposeScope();          // (r, out)
                built[(layer, slot.Kind)] = new LoraFactor(at, bt);
            }
        }
        catch
        {
            foreach (var f in built.Values) f.Dispose();
            throw;
        }
        if (built.Count == 0) throw new ArgumentException("an adapter needs at least one projection", nameof(factors));
        return new LoraWeights(name, built, model.Model.Layers.Count);
    }

    internal LoraFactor? Factor(int layer, string kind) => _factors.GetValueOrDefault((layer, kind));

    /// <summary>Frees the factors; a request still using them must have finished.</summary>
    public void Dispose()
    {
        foreach (var f in _factors.Values) f.Dispose();
        _factors.Clear();
    }
}
