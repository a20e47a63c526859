// A Llama-family causal language model (HF LlamaForCausalLM): the decoder stack plus lm_head, tied to the embedding
// or not. Parameter names equal Hugging Face's, so state dicts of Llama 2/3, Mistral, Qwen2 and SmolLM load as is.
using Lever.Engine.Internal;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lever.Engine.Modules;

/// <summary>Decoder + lm_head; <c>forward(inputIds)</c> gives float32 logits (B, T, vocab) for training.</summary>
public sealed class LlamaForCausalLM : nn.Module<Tensor, Tensor>
{
    private readonly LlamaModel model;
    private nn.Module<Tensor, Tensor> _lmHead;

    /// <summary>
    /// Creates a model with default-initialised weights; call <see cref="InitializeWeights"/> or load a checkpoint.
    /// <paramref name="projectionDevice"/> (default: <paramref name="device"/>) holds the <see cref="Projections"/>:
    /// meta lets a loader replace them one at a time without ever allocating them (QLoRA quantizes while loading).
    /// </summary>
    public LlamaForCausalLM(LlamaConfig config, Device? device = null, Device? projectionDevice = null) : base(nameof(LlamaForCausalLM))
    {
        config.Validate();
        Config = config;
        model = new LlamaModel(config, device, projectionDevice);
        register_module("model", model);
        _lmHead = config.TieWordEmbeddings
            ? new TiedLinear(() => model.EmbedTokens.weight!)
            : nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false, device: projectionDevice ?? device);
        register_module("lm_head", _lmHead);
    }

    /// <summary>The hyperparameters.</summary>
    public LlamaConfig Config { get; }

    /// <summary>The decoder stack.</summary>
    public LlamaModel Model => model;

    /// <summary>lm_head (hidden → vocab); a parameterless view of the embedding when tied. Setting it re-registers it.</summary>
    public nn.Module<Tensor, Tensor> LmHead { get => _lmHead; set => _lmHead = this.Replace("lm_head", value); }

    /// <summary>Logits (B, T, vocab), float32, causal, no padding and no cache: the training path.</summary>
    public override Tensor forward(Tensor inputIds) => Forward(inputIds, null, null);

    /// <summary>
    /// Logits (B, T, vocab) in float32 with optional padding mask (B, past+T) and KV cache; with
    /// <paramref name="lastTokenOnly"/>, only the last position's logits (B, 1, vocab), which is all decoding needs.
    /// <paramref name="weights"/>, a <see cref="DecodeWeights"/> snapshot of this model, speeds up decoding (same logits);
    /// <paramref name="adapters"/> applies LoRA adapters unmerged, per row, on that snapshot (<see cref="LoraWeights"/>).
    /// </summary>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask, KvCache? cache, bool lastTokenOnly = false, DecodeWeights? weights = null, RowAdapters? adapters = null)
    {
        var h = model.forward(inputIds, attentionMask, cache, weights, adapters);     // (B, T, C)
        if (lastTokenOnly) h = h.narrow(1, h.shape[1] - 1, 1);              // (B, 1, C)
        var logits = weights is null ? _lmHead.call(h) : h.matmul(weights.LmHeadT);
        return logits.to(ScalarType.Float32);                                // (B, T, vocab)
    }

    /// <summary>
    /// Every linear projection in attention and MLP (and lm_head when untied), in layer order, for adapters and
    /// quantization to wrap. PEFT's target_modules match <see cref="ProjectionSlot.Kind"/>.
    /// </summary>
    public IEnumerable<ProjectionSlot> Projections()
    {
        for (var i = 0; i < model.Layers.Count; i++)
        {
            var attn = model.Layers[i].SelfAttn;
            var mlp = model.Layers[i].Mlp;
            var p = $"model.layers.{i}.";
            yield return new ProjectionSlot(p + "self_attn.q_proj", "q_proj", () => attn.QProj, m => attn.QProj = m);
            yield return new ProjectionSlot(p + "self_attn.k_proj", "k_proj", () => attn.KProj, m => attn.KProj = m);
            yield return new ProjectionSlot(p + "self_attn.v_proj", "v_proj", () => attn.VProj, m => attn.VProj = m);
            yield return new ProjectionSlot(p + "self_attn.o_proj", "o_proj", () => attn.OProj, m => attn.OProj = m);
            yield return new ProjectionSlot(p + "mlp.gate_proj", "gate_proj", () => mlp.GateProj, m => mlp.GateProj = m);
            yield return new ProjectionSlot(p + "mlp.up_proj", "up_proj", () => mlp.UpProj, m => mlp.UpProj = m);
            yield return new ProjectionSlot(p + "mlp.down_proj", "down_proj", () => mlp.DownProj, m => mlp.DownProj = m);
        }
        if (!Config.TieWordEmbeddings) yield return new ProjectionSlot("lm_head", "lm_head", () => LmHead, m => LmHead = m);
    }

    /// <summary>Number of parameters (a tied lm_head counts once).</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());

    /// <summary>
    /// HF's initialisation for a new model: linear and embedding weights ~ N(0, initializer_range), biases 0,
    /// norm weights 1. Deterministic for a given <paramref name="seed"/>.
    /// </summary>
    public void InitializeWeights(long seed)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith("layernorm.weight", StringComparison.Ordinal) || name == "model.norm.weight") p.fill_(1.0);
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
            // randn with an explicit generator: nn.init.normal_ in TorchSharp 0.107 does not honour its generator argument.
            else p.copy_(randn(p.shape, ScalarType.Float32, generator: generator) * Config.InitializerRange);
        }
    }

    /// <summary>Registration is explicit (HF names), so the reflective field scan must not add private fields again.</summary>
    protected override void RegisterComponents() { }
}
