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
    /// float mask (B, 1, T, past+T), or null for plain causal attention without padding. With
    /// <paramref name="weights"/>, the projections use that snapshot's fused, transposed weights (same result);
    /// <paramref name="adapters"/> (which needs <paramref name="weights"/>) adds each row's unmerged LoRA delta.
    /// </summary>
    public Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, KvCache? cache, LayerDecodeWeights? weights = null, RowAdapters? adapters = null)
    {
        if (adapters is not null && weights is null) throw new ArgumentException("unmerged adapters run on a DecodeWeights snapshot", nameof(adapters));
        var b = x.shape[0];
        var t = x.shape[1];
        Tensor q, k, v;
        if (weights is null)
        {
            q = _q.call(x).view(b, t, _heads, _headDim).transpose(1, 2);     // (B, nh, T, hd)
            k = _k.call(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);   // (B, nkv, T, hd)
            v = _v.call(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);   // (B, nkv, T, hd)
        }
        else
        {
            var qkv = x.matmul(weights.QkvT);                                 // (B, T, nh·hd + 2·nkv·hd)
            if (weights.QkvBias is not null) qkv = qkv.add_(weights.QkvBias);
            var nq = _heads * _headDim;
            var nkv = _kvHeads * _headDim;
            if (adapters is not null)
            {
                adapters.Add(qkv, x, _layer, "q_proj", 0, nq);
                adapters.Add(qkv, x, _layer, "k_proj", nq, nkv);
                adapters.Add(qkv, x, _layer, "v_proj", nq + nkv, nkv);
            }
            q = qkv.narrow(-1, 0, nq).view(b, t, _heads, _headDim).transpose(1, 2);
            k = qkv.narrow(-1, nq, nkv).view(b, t, _kvHeads, _headDim).transpose(1, 2);
            v = qkv.narrow(-1, nq + nkv, nkv).view(b, t, _kvHeads, _headDim).transpose(1, 2);
        }
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);

        var past = cache?.Length ?? 0;
        if (cache is not null) (k, v) = cache.Update(_layer, k, v);         // (B, nkv, past+T, hd)

        // Without a mask, causal masking is only needed when several new tokens see each other and nothing is cached
        // (libtorch aligns is_causal top-left, which is wrong once past > 0; the model passes a mask then).
        var causal = mask is null && t > 1 && past == 0;
        Tensor y;
        if (_kvHeads == _heads)
            y = nn.functional.scaled_dot_product_attention(q, k, v, mask, is_casual: causal);    // (B, nh, T, hd)
        else if (!causal)
        {
            // GQA without copying keys/values: the rep query heads sharing a kv head become rep·T rows of one head
            // (row r·T + t is query head g·rep + r at position t), and the mask is repeated to match.
            var rep = _heads / _kvHeads;
            var grouped = q.reshape(b, _kvHeads, rep * t, _headDim);                            // (B, nkv, rep·T, hd)
            var groupedMask = mask?.repeat(1, 1, rep, 1);                                         // (B, 1, rep·T, Tk)
            y = nn.functional.scaled_dot_product_attention(grouped, k, v, groupedMask)
                .reshape(b, _heads, t, _headDim);                                                 // (B, nh, T, hd)
        }
        else
        {
            // Causal prefill: each kv head serves heads/kv_heads consecutive query heads (HF repeat_kv).
            var rep = _heads / _kvHeads;
            var tk = k.shape[2];
            k = k.unsqueeze(2).expand(b, _kvHeads, rep, tk, _headDim).reshape(b, _heads, tk, _headDim);
            v = v.unsqueeze(2).expand(b, _kvHeads, rep, tk, _headDim).reshape(b, _heads, tk, _headDim);
            y = nn.functional.scaled_dot_product_attention(q, k, v, null, is_casual: true);
        }
        y = y.transpose(1, 2).contiguous().view(b, t, _heads * _headDim);                     // (B, T, C)
        if (weights is null) return _o.call(y);
        var o = y.matmul(weights.OT);
        if (weights.OBias is not null) o = o.add_(weights.OBias);
        adapters?.Add(o, y, _layer, "o_proj", 0, o.shape[^1]);
        return o;
    }

    /// <summary>Registration is explicit (HF names), so the reflective field scan must not add private fields again.</summary>
    protected override void RegisterComponents() { }
}
