// One pre-norm transformer block of the Llama family (HF LlamaDecoderLayer):
// h = x + attn(input_layernorm(x)); out = h + mlp(post_attention_layernorm(h)).
using static TorchSharp.torch;

namespace Lever.Engine.Modules;

/// <summary>Decoder block with HF names self_attn, mlp, input_layernorm, post_attention_layernorm.</summary>
public sealed class DecoderLayer : nn.Module
{
    private readonly Attention self_attn;
    private readonly Mlp mlp;
    private readonly RMSNorm input_layernorm;
    private readonly RMSNorm post_attention_layernorm;
    private readonly int _layer;

    /// <summary>Creates layer number <paramref name="layer"/>; its projections on <paramref name="projectionDevice"/> (default: <paramref name="device"/>).</summary>
    public DecoderLayer(LlamaConfig config, int layer, Device? device = null, Device? projectionDevice = null) : base(nameof(DecoderLayer))
    {
        _layer = layer;
        self_attn = new Attention(config, layer, projectionDevice ?? device);
        mlp = new Mlp(config, projectionDevice ?? device);
        input_layernorm = new RMSNorm(config.HiddenSize, config.RmsNormEps, device);
        post_attention_layernorm = new RMSNorm(config.HiddenSize, config.RmsNormEps, device);
        register_module("self_attn", self_attn);
        register_module("mlp", mlp);
        register_module("input_layernorm", input_layernorm);
        register_module("post_attention_layernorm", post_attention_layernorm);
    }

    /// <summary>The attention block.</summary>
    public Attention SelfAttn => self_attn;

    /// <summary>The feed-forward block.</summary>
    public Mlp Mlp => mlp;

    /// <summary>Norm before attention.</summary>
    public RMSNorm InputLayernorm => input_layernorm;

    /// <summary>Norm before the MLP.</summary>
    public RMSNorm PostAttentionLayernorm => post_attention_layernorm;

    /// <summary>Runs the block on <paramref name="x"/> (B, T, C); see <see cref="Attention.forward"/> for the rest.</summary>
    public Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, KvCache? cache, LayerDecodeWeights? weights = null, RowAdapters? adapters = null)
    {
        var h = x + self_attn.forward(input_layernorm.call(x), cos, sin, mask, cache, weights, adapters);   // (B, T, C)
        return h + mlp.Forward(post_attention_layernorm.call(h), weights, adapters, _layer);
    }

    /// <summary>Registration is explicit (HF names), so the reflective field scan must not add private fields again.</summary>
    protected override void RegisterComponents() { }
}
