// The decoder stack of the Llama family (HF LlamaModel): token embedding, N pre-norm blocks, final RMSNorm.
// Positions and masks are derived here once per call so padded batches and cached prefixes line up.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lever.Engine.Modules;

/// <summary>Embedding + decoder layers + final norm, with HF names embed_tokens, layers.N, norm.</summary>
public sealed class LlamaModel : nn.Module
{
    private readonly Embedding embed_tokens;
    private readonly ModuleList<DecoderLayer> layers;
    private readonly RMSNorm norm;
    private readonly RotaryEmbedding _rotary;

    /// <summary>
    /// Creates the stack for <paramref name="config"/> on <paramref name="device"/> (meta works: shapes only), the
    /// attention and MLP projections on <paramref name="projectionDevice"/> (default: the same).
    /// </summary>
    public LlamaModel(LlamaConfig config, Device? device = null, Device? projectionDevice = null) : base(nameof(LlamaModel))
    {
        Config = config;
        embed_tokens = nn.Embedding(config.VocabSize, config.HiddenSize, device: device);
        layers = nn.ModuleList(Enumerable.Range(0, config.NumHiddenLayers).Select(i => new DecoderLayer(config, i, device, projectionDevice)).ToArray());
        norm = new RMSNorm(config.HiddenSize, config.RmsNormEps, device);
        _rotary = new RotaryEmbedding(config);
        register_module("embed_tokens", embed_tokens);
        register_module("layers", layers);
        register_module("norm", norm);
    }

    /// <summary>The hyperparameters.</summary>
    public LlamaConfig Config { get; }

    /// <summary>Token embedding (vocab, C).</summary>
    public Embedding EmbedTokens => embed_tokens;

    /// <summary>The decoder blocks.</summary>
    public IReadOnlyList<DecoderLayer> Layers => [.. layers];

    /// <summary>Final norm.</summary>
    public RMSNorm Norm => norm;

    /// <summary>
    /// Training hook: when set, each decoder layer runs as <c>LayerRunner(h, layer)</c>, where <c>layer</c> computes
    /// the block from its input (B, T, C); activation checkpointing uses it to recompute blocks in the backward.
    /// Not used with a KV cache (decoding).
    /// </summary>
    public Func<Tensor, Func<Tensor, Tensor>, Tensor>? LayerRunner { get; set; }

    /// <summary>
    /// Hidden states (B, T, C) for <paramref name="inputIds"/> (B, T). <paramref name="attentionMask"/> (B, past+T) has 1
    /// for real tokens and 0 for padding (left padding for batches of different lengths); null means no padding.
    /// With a <paramref name="cache"/>, the new tokens follow its cached positions and are appended to it.
    /// With <paramref name="weights"/> (a snapshot of this model's weights), projections use its faster layout, and
    /// <paramref name="adapters"/> adds each row's unmerged LoRA delta on top of them.
    /// </summary>
    public Tensor forward(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null, DecodeWeights? weights = null, RowAdapters? adapters = null)
    {
        var b = inputIds.shape[0];
        var t = inputIds.shape[1];
        var past = cache?.Length ?? 0;
        var device = inputIds.device;

        // 1) positions: with padding, a token's position counts only the real tokens before it.
        Tensor positions;
        if (attentionMask is null)
            positions = arange(past, past + t, dtype: ScalarType.Int64, device: device).unsqueeze(0).expand(b, t);
        else
        {
            if (attentionMask.shape[1] != past + t)
                throw new ArgumentException($"attention mask covers {attentionMask.shape[1]} positions; expected past {past} + new {t}", nameof(attentionMask));
            positions = (attentionMask.to(ScalarType.Int64).cumsum(1) - 1).clamp_min(0).narrow(1, past, t);   // (B, T)
        }
        var (cos, sin) = _rotary.call(positions);

        // 2) mask: additive (B, 1, T, past+T); null lets attention use its fused causal path.
        Tensor? mask = null;
        if (attentionMask is not null || (past > 0 && t > 1))
        {
            var keyPos = arange(past + t, dtype: ScalarType.Int64, device: device);                          // (Tk)
            var queryPos = arange(past, past + t, dtype: ScalarType.Int64, device: device).unsqueeze(1);     // (T, 1)
            var allowed = keyPos.unsqueeze(0) <= queryPos;                                                    // (T, Tk)
            var allowedB = allowed.unsqueeze(0).unsqueeze(0);                                                 // (1, 1, T, Tk)
            if (attentionMask is not null)
                allowedB = allowedB.logical_and(attentionMask.to(ScalarType.Bool).unsqueeze(1).unsqueeze(1)); // (B, 1, T, Tk)
            // A large finite negative, not -inf: a padding query sees no key at all, and -inf would give NaN rows
            // whose values then leak into later layers through 0·NaN.
            mask = zeros(allowedB.shape, ScalarType.Float32, device).masked_fill(allowedB.logical_not(), float.MinValue);
        }

        // 3) the blocks.
        var h = embed_tokens.call(inputIds);    // (B, T, C)
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var layerWeights = weights?.Layers[i];
            h = LayerRunner is { } run && cache is null
                ? run(h, x => layer.forward(x, cos, sin, mask, null, layerWeights, adapters))
                : layer.forward(h, cos, sin, mask, cache, layerWeights, adapters);
        }
        cache?.Advance((int)t);
        return norm.call(h);
    }

    /// <summary>Registration is explicit (HF names), so the reflective field scan must not add private fields again.</summary>
    protected override void RegisterComponents() { }
}
