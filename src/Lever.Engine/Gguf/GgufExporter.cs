// Export of a Lever/HF checkpoint to GGUF for llama.cpp, following llama.cpp's convert_hf_to_gguf.py for the
// "llama" architecture: tensor names blk.N.attn_q etc., Q and K rows permuted from HF's rotate-half RoPE layout to
// ggml's interleaved-pair layout, 1-D tensors kept F32, llama3 rope scaling as a rope_freqs tensor, and the
// byte-level BPE vocabulary as tokenizer.ggml.* (model "gpt2").
using Lever.Core;
using Lever.Engine.Checkpoints;
using Lever.Engine.Internal;
using Lever.Engine.Modules;
using Lever.Engine.Tokenizers;
using static TorchSharp.torch;

namespace Lever.Engine.Gguf;

/// <summary>Writes GGUF files that llama.cpp (and everything built on it) loads.</summary>
public static class GgufExporter
{
    private const int TokenNormal = 1, TokenControl = 3;

    /// <summary>
    /// Exports the checkpoint in <paramref name="modelDirectory"/> to <paramref name="outputPath"/> with 2-D weights
    /// as <paramref name="type"/> ("f32" or "f16"; norms stay f32).
    /// </summary>
    public static GgufExport Export(string modelDirectory, string outputPath, string type = "f32")
    {
        var tensorType = type.ToLowerInvariant() switch
        {
            "f32" => GgufWriter.TensorType.F32,
            "f16" => GgufWriter.TensorType.F16,
            _ => throw new LeverUserException($"--type {type} is not supported", "use f32 or f16"),
        };
        var tokenizer = ModelTokenizer.Load(modelDirectory);
        if (tokenizer.Kind != "bpe" || tokenizer.Vocabulary is null || tokenizer.Merges is null)
            throw new LeverUserException($"{modelDirectory}: GGUF export needs a byte-level BPE tokenizer.json; this model uses {tokenizer.Kind}", "SentencePiece (tokenizer.model) export is not implemented; use llama.cpp's convert_hf_to_gguf.py for those models");
        using var model = HfCheckpoint.Load(modelDirectory);
        var config = model.Config;
        if (tokenizer.VocabSize > config.VocabSize)
            throw new LeverUserException($"{modelDirectory}: tokenizer has {tokenizer.VocabSize} tokens but vocab_size is {config.VocabSize}", "the tokenizer does not belong to this model");

        var gguf = new GgufWriter();
        // 1) architecture and hyperparameters.
        gguf.Add("general.architecture", "llama");
        gguf.Add("general.name", Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelDirectory))));
        gguf.Add("general.file_type", tensorType == GgufWriter.TensorType.F32 ? 0u : 1u);
        gguf.Add("llama.vocab_size", (uint)config.VocabSize);
        gguf.Add("llama.context_length", (uint)config.MaxPositionEmbeddings);
        gguf.Add("llama.embedding_length", (uint)config.HiddenSize);
        gguf.Add("llama.block_count", (uint)config.NumHiddenLayers);
        gguf.Add("llama.feed_forward_length", (uint)config.IntermediateSize);
        gguf.Add("llama.rope.dimension_count", (uint)config.HeadDim);
        gguf.Add("llama.attention.head_count", (uint)config.NumAttentionHeads);
        gguf.Add("llama.attention.head_count_kv", (uint)config.KeyValueHeads);
        gguf.Add("llama.attention.key_length", (uint)config.HeadDim);
        gguf.Add("llama.attention.value_length", (uint)config.HeadDim);
        gguf.Add("llama.attention.layer_norm_rms_epsilon", (float)config.RmsNormEps);
        gguf.Add("llama.rope.freq_base", (float)config.RopeTheta);
        if (config.RopeScaling is { Kind: "linear" } linear)
        {
            gguf.Add("llama.rope.scaling.type", "linear");
            gguf.Add("llama.rope.scaling.factor", (float)linear.Factor);
        }

        // 2) vocabulary: ids beyond the tokenizer (padding rows of the embedding) become unused control tokens.
        var tokens = new List<string>(config.VocabSize);
        var types = new List<int>(config.VocabSize);
        for (var id = 0; id < config.VocabSize; id++)
        {
            tokens.Add(id < tokenizer.Vocabulary.Count ? tokenizer.Vocabulary[id] : $"<|unused_{id}|>");
            types.Add(id >= tokenizer.Vocabulary.Count || tokenizer.IsSpecial(id) ? TokenControl : TokenNormal);
        }
        var pre = PreTokenizerName(tokenizer.PreTokenizerPattern);
        gguf.Add("tokenizer.ggml.model", "gpt2");
        gguf.Add("tokenizer.ggml.pre", pre);
        gguf.Add("tokenizer.ggml.tokens", tokens);
        gguf.Add("tokenizer.ggml.token_type", types);
        gguf.Add("tokenizer.ggml.merges", tokenizer.Merges);
        if (tokenizer.BosId is { } bos) gguf.Add("tokenizer.ggml.bos_token_id", (uint)bos);
        if (tokenizer.EosId is { } eos) gguf.Add("tokenizer.ggml.eos_token_id", (uint)eos);
        if (tokenizer.PadId is { } pad) gguf.Add("tokenizer.ggml.padding_token_id", (uint)pad);
        gguf.Add("tokenizer.ggml.add_bos_token", tokenizer.AddBos);

        // 3) tensors, renamed and (for Q/K) permuted.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var state = model.state_dict();
        var count = 0;
        void Put(string name, Tensor t)
        {
            gguf.AddTensor(name, t, t.dim() == 1 ? GgufWriter.TensorType.F32 : tensorType);
            count++;
        }
        Put("token_embd.weight", state["model.embed_tokens.weight"]);
        Put("output_norm.weight", state["model.norm.weight"]);
        if (!config.TieWordEmbeddings) Put("output.weight", state["lm_head.weight"]);
        if (config.RopeScaling is { Kind: "llama3" })
        {
            var plain = RotaryEmbedding.InverseFrequencies(config with { RopeScaling = null });
            var scaled = RotaryEmbedding.InverseFrequencies(config);
            Put("rope_freqs.weight", tensor(plain.Zip(scaled, (p, s) => p / s).ToArray()));   // llama.cpp divides θ_i by these
        }
        for (var i = 0; i < config.NumHiddenLayers; i++)
        {
            var hf = $"model.layers.{i}.";
            var gg = $"blk.{i}.";
            Put(gg + "attn_norm.weight", state[hf + "input_layernorm.weight"]);
            Put(gg + "attn_q.weight", Permute(state[hf + "self_attn.q_proj.weight"], config.NumAttentionHeads));
            Put(gg + "attn_k.weight", Permute(state[hf + "self_attn.k_proj.weight"], config.KeyValueHeads));
            Put(gg + "attn_v.weight", state[hf + "self_attn.v_proj.weight"]);
            Put(gg + "attn_output.weight", state[hf + "self_attn.o_proj.weight"]);
            if (config.HasQkvBias)
            {
                Put(gg + "attn_q.bias", Permute(state[hf + "self_attn.q_proj.bias"], config.NumAttentionHeads));
                Put(gg + "attn_k.bias", Permute(state[hf + "self_attn.k_proj.bias"], config.KeyValueHeads));
                Put(gg + "attn_v.bias", state[hf + "self_attn.v_proj.bias"]);
            }
            if (config.HasOutputBias) Put(gg + "attn_output.bias", state[hf + "self_attn.o_proj.bias"]);
            Put(gg + "ffn_norm.weight", state[hf + "post_attention_layernorm.weight"]);
            Put(gg + "ffn_gate.weight", state[hf + "mlp.gate_proj.weight"]);
            Put(gg + "ffn_up.weight", state[hf + "mlp.up_proj.weight"]);
            Put(gg + "ffn_down.weight", state[hf + "mlp.down_proj.weight"]);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(outputPath));
        if (directory is not null) Directory.CreateDirectory(directory);
        var temp = outputPath + ".tmp";
        gguf.Write(temp);
        File.Move(temp, outputPath, overwrite: true);
        return new GgufExport(outputPath, new FileInfo(outputPath).Length, count, pre);
    }

    /// <summary>
    /// HF stores each head's rows as [first halves; second halves] for rotate-half RoPE; ggml rotates adjacent pairs.
    /// Interleave the halves so row 2j is HF row j and row 2j+1 is HF row j + head_dim/2 (convert_hf_to_gguf permute).
    /// </summary>
    internal static Tensor Permute(Tensor w, int heads)
    {
        var rows = w.shape[0];
        long[] split = w.dim() == 1 ? [heads, 2, rows / heads / 2] : [heads, 2, rows / heads / 2, w.shape[1]];
        return w.reshape(split).transpose(1, 2).reshape(w.shape).contiguous();
    }

    /// <summary>llama.cpp's name for a pre-tokenizer regex (tokenizer.ggml.pre); unknown names make it refuse the file.</summary>
    private static string PreTokenizerName(string? pattern) => pattern switch
    {
        ModelTokenizer.Gpt2Pattern => "gpt-2",
        @"\p{N}|" + ModelTokenizer.Gpt2Pattern => "smollm",
        _ when pattern?.Contains(@"\p{N}{1,3}", StringComparison.Ordinal) == true => "llama-bpe",
        _ when pattern?.Contains(@"\p{N}", StringComparison.Ordinal) == true && pattern.Contains("(?i:", StringComparison.Ordinal) => "qwen2",
        _ => "llama-bpe",
    };
}
