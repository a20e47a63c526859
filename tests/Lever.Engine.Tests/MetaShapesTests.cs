using Lever.Engine.Modules;
using static TorchSharp.torch;

namespace Lever.Engine.Tests;

/// <summary>
/// Checkpoint compatibility without downloading weights: build a published config on the meta device (shapes, no
/// memory) and compare parameter names and shapes with what Hugging Face stores for that model.
/// </summary>
public sealed class MetaShapesTests
{
    // config.json of meta-llama/Llama-3.2-1B as published on the Hugging Face hub (unknown fields are ignored).
    private const string Llama32_1B = """
    {
      "architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
      "bos_token_id": 128000, "eos_token_id": 128001, "head_dim": 64, "hidden_act": "silu", "hidden_size": 2048,
      "initializer_range": 0.02, "intermediate_size": 8192, "max_position_embeddings": 131072, "mlp_bias": false,
      "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8,
      "pretraining_tp": 1, "rms_norm_eps": 1e-05,
      "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
      "rope_theta": 500000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "transformers_version": "4.45.0.dev0",
      "use_cache": true, "vocab_size": 128256
    }
    """;

    [Fact]
    public void Llama_3_2_1B_on_the_meta_device_has_the_hugging_face_names_and_shapes()
    {
        var path = Path.Combine(TinyModels.TempDir("meta"), "config.json");
        File.WriteAllText(path, Llama32_1B);
        var config = LlamaConfig.Load(path);
        using var model = new LlamaForCausalLM(config, META);
        var actual = model.state_dict().ToDictionary(kv => kv.Key, kv => string.Join("x", kv.Value.shape));

        // The tensors of model.safetensors for this model: 16 layers × 9 + embed + norm, lm_head tied (not stored).
        var expected = new Dictionary<string, string>
        {
            ["model.embed_tokens.weight"] = "128256x2048",
            ["model.norm.weight"] = "2048",
        };
        for (var i = 0; i < 16; i++)
        {
            var p = $"model.layers.{i}.";
            expected[p + "self_attn.q_proj.weight"] = "2048x2048";
            expected[p + "self_attn.k_proj.weight"] = "512x2048";
            expected[p + "self_attn.v_proj.weight"] = "512x2048";
            expected[p + "self_attn.o_proj.weight"] = "2048x2048";
            expected[p + "mlp.gate_proj.weight"] = "8192x2048";
            expected[p + "mlp.up_proj.weight"] = "8192x2048";
            expected[p + "mlp.down_proj.weight"] = "2048x8192";
            expected[p + "input_layernorm.weight"] = "2048";
            expected[p + "post_attention_layernorm.weight"] = "2048";
        }
        Assert.Equal(146, expected.Count);
        Assert.Equal(expected.OrderBy(kv => kv.Key), actual.OrderBy(kv => kv.Key));
        Assert.Equal(1_235_814_400L, model.ParameterCount());   // the published 1.24B
        Assert.All(model.parameters(), p => Assert.Equal(TorchSharp.DeviceType.META, p.device_type));
    }

    [Fact]
    public void Qwen2_config_gets_qkv_bias_without_attention_bias_field()
    {
        var config = new LlamaConfig { ModelType = "qwen2", VocabSize = 64, HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 1, NumAttentionHeads = 4, NumKeyValueHeads = 2 };
        using var model = new LlamaForCausalLM(config, META);
        var keys = model.state_dict().Keys.ToList();
        Assert.Contains("model.layers.0.self_attn.q_proj.bias", keys);
        Assert.Contains("model.layers.0.self_attn.v_proj.bias", keys);
        Assert.DoesNotContain("model.layers.0.self_attn.o_proj.bias", keys);
    }
}
