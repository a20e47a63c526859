// Export of a PEFT LoRA adapter as a GGUF LoRA adapter that llama.cpp applies at load time (llama-cli --lora,
// node-llama-cpp's `lora` context option), following llama.cpp's convert_lora_to_gguf.py: general.type "adapter",
// adapter.type "lora", adapter.lora.alpha; tensors named after the base GGUF's (blk.N.attn_q.weight.lora_a/.lora_b)
// with A stored as (r, in) and B as (out, r). Q and K rows are permuted as the base export permutes them (HF's
// rotate-half RoPE layout to ggml's interleaved pairs): the permutation acts on output rows, so only B changes.
using Lever.Core;
using Lever.Engine.Checkpoints;
using Lever.Engine.Modules;
using Lever.Training.Internal;
using static TorchSharp.torch;

namespace Lever.Training.Lora;

/// <summary>Writes GGUF LoRA adapters for llama.cpp.</summary>
public static class GgufAdapterExporter
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        ["self_attn.q_proj"] = "attn_q", ["self_attn.k_proj"] = "attn_k", ["self_attn.v_proj"] = "attn_v", ["self_attn.o_proj"] = "attn_output",
        ["mlp.gate_proj"] = "ffn_gate", ["mlp.up_proj"] = "ffn_up", ["mlp.down_proj"] = "ffn_down",
    };

    /// <summary>
    /// Converts the PEFT adapter in <paramref name="adapterDirectory"/> for the base whose config.json is in
    /// <paramref name="baseModelDirectory"/> to <paramref name="outputPath"/>. Returns the number of tensors written.
    /// </summary>
    public static int Export(string adapterDirectory, string baseModelDirectory, string outputPath)
    {
        var (options, _) = PeftAdapter.ReadConfig(adapterDirectory);
        var config = LlamaConfig.Load(Path.Combine(baseModelDirectory, HfCheckpoint.ConfigFile));
        var gguf = new GgufLoraWriter();
        gguf.Add("general.architecture", "llama");
        gguf.Add("general.type", "adapter");
        gguf.Add("general.name", Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(adapterDirectory))));
        gguf.Add("adapter.type", "lora");
        // llama.cpp scales by alpha/r; rsLoRA's alpha/√r is the same with alpha·√r in its place.
        gguf.Add("adapter.lora.alpha", (float)(options.UseRsLora ? options.Alpha * Math.Sqrt(options.Rank) : options.Alpha));

        using var scope = NewDisposeScope();
        var tensors = SafeTensors.ReadAll(Path.Combine(adapterDirectory, PeftAdapter.WeightsFile));
        int count = 0;
        foreach (var key in tensors.Keys.Where(k => k.EndsWith(".lora_A.weight", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            // base_model.model.model.layers.{i}.{module}.lora_A.weight
            var path = key["base_model.model.".Length..^".lora_A.weight".Length];
            var parts = path.Split('.');
            if (parts.Length != 5 || parts[0] != "model" || parts[1] != "layers" || !int.TryParse(parts[2], out var layer) || !Names.TryGetValue($"{parts[3]}.{parts[4]}", out var ggName))
                throw new LeverUserException($"{adapterDirectory}: adapter tensor {key} has no GGUF equivalent", "llama.cpp adapters cover the attention and MLP projections of the decoder layers");
            var a = tensors[key];                                                    // (r, in)
            var b = tensors[key.Replace(".lora_A.", ".lora_B.", StringComparison.Ordinal)]; // (out, r)
            if (ggName == "attn_q") b = PermuteRows(b, config.NumAttentionHeads);
            else if (ggName == "attn_k") b = PermuteRows(b, config.KeyValueHeads);
            gguf.AddTensor($"blk.{layer}.{ggName}.weight.lora_a", a);
            gguf.AddTensor($"blk.{layer}.{ggName}.weight.lora_b", b);
            count += 2;
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(outputPath));
        if (directory is not null) Directory.CreateDirectory(directory);
        var temp = outputPath + ".tmp";
        gguf.Write(temp);
        File.Move(temp, outputPath, overwrite: true);
        return count;
    }

    /// <summary>Each head's rows [first halves; second halves] → interleaved pairs (as llama.cpp's converter permutes Q/K).</summary>
    internal static Tensor PermuteRows(Tensor w, int heads)
    {
        var rows = w.shape[0];
        return w.reshape(heads, 2, rows / heads / 2, w.shape[1]).transpose(1, 2).reshape(w.shape).contiguous();
    }
}
