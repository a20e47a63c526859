// Causal multi-head self-attention with grouped-query heads (Ainslie et al. 2023, "GQA") and rotary positions,
// as in HF LlamaAttention / Qwen2Attention (optional q/k/v bias). Scores go through libtorch's fused
// scaled_dot_product_attention.
using Lever.Engine.Internal;
using static TorchSharp.torch;

namespace Lever.Engine.Modules;

/// <summary>GQA self-attention with HF names q_proj, k_proj, v_proj, o_proj. Each projection can be replaced (LoRA, NF4).</summary>
public sealed class Attention : nn.Module
{
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;
    private readonly int _layer;
    private nn.Module<Tensor, Tensor> _q;
    private nn.Module<Tensor, Tensor> _k;
    private nn.Module<Tensor, Tensor> _v;
    private nn.Module<Tensor, Tensor> _o;

    /// <summary>Creates the attention of decoder layer <paramref name="layer"/> (its slot in a <see cref="KvCache"/>).</summary>
    public Attention(LlamaConfig config, int layer, Device? device = null) : base(nameof(Attention))
    {
        _heads = config.NumAttentionHeads;
        _kvHeads = config.KeyValueHeads;
        _headDim = config.HeadDim;
        _layer = layer;
        var qkvBias = config.HasQkvBias;
        _q = nn.Linear(config.HiddenSize, _heads * _headDim, hasBias: qkvBias, device: device);
        _k = nn.Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: qkvBias, device: device);
        _v = nn.Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: qkvBias, device: device);
        _o = nn.Linear(_heads * _headDim, config.HiddenSize, hasBias: config.HasOutputBias, device: device);
        register_module("q_proj", _q);
        register_module("k_proj", _k);
        register_module("v_proj", _v);
        register_module("o_proj", _o);
    }

    /// <summary>q_proj (hidden → heads·head_dim). Setting it re-registers the module under the same name.</summary>
    public nn.Module<Tensor, Tensor> QProj { get => _q; set => _q = this.Replace("q_proj", value); }

    /// <summary>k_proj (hidden → kv_heads·head_dim). Setting it re-registers the module under the same name.</summary>
    public nn.Module<Tensor, Tensor> KProj { get => _k; set => _k = this.Replace("k_proj", value); }

    /// <summary>v_proj (hidden → kv_heads·head_dim). Setting it re-registers the module under the same name.</summary>
    public nn.Module<Tensor, Tensor> VProj { get => _v; set => _v = this.Replace("v_proj", value); }

    /// <summary>o_proj (heads·head_dim → hidden). Setting it re-registers the module under the same name.</summary>
    public nn.Module<Tensor, Tensor> OProj { get => _o; set => _o = this.Replace("o_proj", value); }

    /// <summary>
    /// Attends <paramref name="x"/> (B, T, C) to itself and to the cached past. <paramref name="mask"/> is an additive
    /// float mask (B, 1, T, past+T), or null for plain causal attention without padding.
    /// </summary>
    public Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, KvCache? cache)
    {
        var b = x.shape[0];
        var t = x.shape[1];
        var q = _q.call(x).view(b, t, _heads, _headDim).transpose(1, 2);     // (B, nh, T, hd)
        var k = _k.call(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);   // (B, nkv, T, hd)
        var v = _v.call(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);   // (B, nkv, T, hd)
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);

        var past = cache?.Length ?? 0;
        if (cache is not null) (k, v) = cache.Update(_layer, k, v);         // (B, nkv, past+T, hd)

        if (_kvHeads != _heads)
        {
            // GQA: each kv head serves heads/kv_heads consecutive query heads (HF repeat_kv).
            var rep = _heads / _kvHeads;
            var tk = k.shape[2];
            k = k.unsqueeze(2).expand(b, _kvHeads, rep, tk, _headDim).reshape(b, _heads, tk, _headDim);
            v = v.unsqueeze(2).expand(b, _kvHeads, rep, tk, _headDim).reshape(b, _heads, tk, _headDim);
        }

        // Without a mask, causal masking is only needed when several new tokens see each other and nothing is cached
        // (libtorch aligns is_causal top-left, which is wrong once past > 0; the model passes a mask then).
        var causal = mask is null && t > 1 && past == 0;
        var y = nn.functional.scaled_dot_product_attention(q, k, v, mask, is_casual: causal);   // (B, nh, T, hd)
        y = y.transpose(1, 2).contiguous().view(b, t, _heads * _headDim);                     // (B, T, C)
        return _o.call(y);
    }

    /// <summary>Registration is explicit (HF names), so the reflective field scan must not add private fields again.</summary>
    protected override void RegisterComponents() { }
}
