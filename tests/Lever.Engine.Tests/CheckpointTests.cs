using Lever.Core;
using Lever.Engine.Checkpoints;
using Lever.Engine.Modules;
using static TorchSharp.torch;

namespace Lever.Engine.Tests;

public sealed class CheckpointTests
{
    [Theory]
    [InlineData(false, long.MaxValue)]
    [InlineData(true, 40_000)]   // small shards: several files + index
    public void Save_then_load_gives_the_same_logits(bool tied, long maxShard)
    {
        using var scope = NewDisposeScope();
        var dir = TinyModels.TempDir("ckpt");
        using var model = TinyModels.Create(TinyModels.Config(tied: tied, qkvBias: true));
        HfCheckpoint.Save(dir, model, maxShardBytes: maxShard);
        Assert.Equal(maxShard < 100_000, File.Exists(Path.Combine(dir, HfCheckpoint.IndexFile)));
        using var loaded = HfCheckpoint.Load(dir);
        var ids = tensor(new long[] { 1, 2, 3, 50, 60 }).unsqueeze(0);
        Assert.True(TinyModels.Same(model.forward(ids), loaded.forward(ids)));
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(model.Config with { TorchDtype = "float32", Architectures = ["LlamaForCausalLM"] }),
            System.Text.Json.JsonSerializer.Serialize(loaded.Config));
    }

    [Fact]
    public void Bf16_checkpoint_loads_into_float32_with_rounding_only()
    {
        using var scope = NewDisposeScope();
        var dir = TinyModels.TempDir("ckpt");
        using var model = TinyModels.Create(TinyModels.Config());
        HfCheckpoint.Save(dir, model, ScalarType.BFloat16);
        using var loaded = HfCheckpoint.Load(dir);
        var w = model.Model.EmbedTokens.weight!;
        var l = loaded.Model.EmbedTokens.weight!;
        Assert.Equal(ScalarType.Float32, l.dtype);
        Assert.True(TinyModels.Same(l, w.to(ScalarType.BFloat16).to(ScalarType.Float32)));
    }

    [Fact]
    public void Weights_for_another_config_are_refused_naming_the_tensor()
    {
        using var scope = NewDisposeScope();
        var dir = TinyModels.TempDir("ckpt");
        using (var model = TinyModels.Create(TinyModels.Config())) HfCheckpoint.Save(dir, model);
        (TinyModels.Config() with { IntermediateSize = 48 }).Save(Path.Combine(dir, "config.json"));
        var ex = Assert.Throws<LeverUserException>(() => HfCheckpoint.Load(dir));
        Assert.Contains("mlp.gate_proj.weight", ex.Message);
        Assert.Contains("does not match", ex.Message);

        (TinyModels.Config() with { NumHiddenLayers = 1 }).Save(Path.Combine(dir, "config.json"));
        Assert.Contains("model.layers.1.", Assert.Throws<LeverUserException>(() => HfCheckpoint.Load(dir)).Message);
    }

    [Fact]
    public void Config_errors_name_the_field()
    {
        var dir = TinyModels.TempDir("cfg");
        var path = Path.Combine(dir, "config.json");
        File.WriteAllText(path, """{"hidden_size": 30, "num_attention_heads": 4, "vocab_size": 10}""");
        Assert.Contains("hidden_size", Assert.Throws<LeverUserException>(() => LlamaConfig.Load(path)).Message);
        File.WriteAllText(path, """{"hidden_size": "big"}""");
        Assert.Contains("hidden_size", Assert.Throws<LeverUserException>(() => LlamaConfig.Load(path)).Message);
        File.WriteAllText(path, """{"eos_token_id": [128001, 128009], "hidden_size": 32, "num_attention_heads": 4}""");
        Assert.Equal([128001, 128009], LlamaConfig.Load(path).EosTokenId);
    }
}
