// Rotary position embeddings (Su et al. 2021, "RoFormer"), in HF's "rotate_half" layout: the head is split into two
// halves and channel i pairs with channel i + d/2. Frequencies follow HF's LlamaRotaryEmbedding, including the
// "linear" (position interpolation) and "llama3" rope_scaling variants.
using static TorchSharp.torch;

namespace Lever.Engine.Modules;

/// <summary>Turns position ids (B, T) into the (cos, sin) tables (B, 1, T, head_dim) that attention rotates q and k by.</summary>
public sealed class RotaryEmbedding : nn.Module<Tensor, (Tensor Cos, Tensor Sin)>
{
    private readonly float[] _invFreq;

    /// <summary>Precomputes the inverse frequencies for <paramref name="config"/>.</summary>
    public RotaryEmbedding(LlamaConfig config) : base(nameof(RotaryEmbedding))
    {
        _invFreq = InverseFrequencies(config);
    }

    /// <summary>θ_i = rope_theta^(-2i/d) for i &lt; d/2, rescaled as rope_scaling says.</summary>
    public static float[] InverseFrequencies(LlamaConfig config)
    {
        var dim = config.HeadDim;
        var inv = new double[dim / 2];
        for (var i = 0; i < inv.Length; i++) inv[i] = 1.0 / Math.Pow(config.RopeTheta, 2.0 * i / dim);
        var scaling = config.RopeScaling;
        if (scaling is { Kind: "linear" })
        {
            for (var i = 0; i < inv.Length; i++) inv[i] /= scaling.Factor;
        }
        else if (scaling is { Kind: "llama3" })
        {
            // Wavelengths shorter than high_freq_wavelen keep their frequency; longer than low_freq_wavelen are
            // divided by factor; in between, interpolate smoothly in 1/wavelength.
            double original = scaling.OriginalMaxPositionEmbeddings;
            var lowFreqWavelen = original / scaling.LowFreqFactor;
            var highFreqWavelen = original / scaling.HighFreqFactor;
            for (var i = 0; i < inv.Length; i++)
            {
                var wavelen = 2 * Math.PI / inv[i];
                if (wavelen > lowFreqWavelen) inv[i] /= scaling.Factor;
                else if (wavelen >= highFreqWavelen)
                {
                    var smooth = (original / wavelen - scaling.LowFreqFactor) / (scaling.HighFreqFactor - scaling.LowFreqFactor);
                    inv[i] = (1 - smooth) * inv[i] / scaling.Factor + smooth * inv[i];
                }
            }
        }
        return inv.Select(v => (float)v).ToArray();
    }

    /// <inheritdoc/>
    public override (Tensor Cos, Tensor Sin) forward(Tensor positionIds)
    {
        var inv = tensor(_invFreq, device: positionIds.device);                        // (d/2)
        var freqs = positionIds.to(ScalarType.Float32).unsqueeze(-1) * inv;            // (B, T, d/2)
        var emb = cat([freqs, freqs], -1);                                            // (B, T, d)
        return (emb.cos().unsqueeze(1), emb.sin().unsqueeze(1));                      // (B, 1, T, d)
    }

    /// <summary>x·cos + rotate_half(x)·sin, with rotate_half(x) = [-x2, x1].</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        var half = x.shape[^1] / 2;
        var x1 = x[TensorIndex.Ellipsis, TensorIndex.Slice(0, half)];
        var x2 = x[TensorIndex.Ellipsis, TensorIndex.Slice(half, null)];
        var rotated = cat([-x2, x1], -1);
        return x * cos.to(x.dtype) + rotated * sin.to(x.dtype);
    }

    /// <summary>No tensors to register: the frequencies live in managed memory and follow the input's device.</summary>
    protected override void RegisterComponents() { }
}
