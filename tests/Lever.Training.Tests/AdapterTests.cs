using System.Text.Json;
using Lever.Engine.Checkpoints;
using Lever.Training.Lora;
using static TorchSharp.torch;

namespace Lever.Training.Tests;

public sealed class AdapterTests
{
    private static readonly LoraOptions Options = new() { Rank = 4, Alpha = 8, Dropout = 0, TargetModules = ["q", "k", "v", "o", "gate", "up", "down"] };

    /// <summary>A model with a trained-looking adapter: B drawn at random so the adapter changes the logits.</summary>
    private static Engine.Modules.LlamaForCausalLM Adapted(long seed)
    {
        var model = TinyLlama.Create(seed);
        LoraInjector.Inject(model, Options, seed: 3);
        using var noGrad = no_grad();
        var g = new Generator(4);
        foreach (var (_, layer) in LoraInjector.LoraLayers(model)) layer.B("default").weight!.normal_(0, 0.2, g);
        model.eval();
        return model;
    }

    [Fact]
    public void Peft_files_have_the_standard_keys_shapes_and_config_and_load_back_exactly()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        using var scope = NewDisposeScope();
        var model = Adapted(1);
        PeftAdapter.Save(tmp.Root, model, Options with { UseRsLora = true }, "base-dir");

        var tensors = SafeTensors.ReadAll(Path.Combine(tmp.Root, "adapter_model.safetensors"));
        Assert.Equal(2 * 2 * 7, tensors.Count);
        Assert.Equal([4L, 32L], tensors["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"].shape);
        Assert.Equal([32L, 4L], tensors["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"].shape);
        Assert.Equal([16L, 4L], tensors["base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight"].shape); // 2 kv heads × 8
        Assert.Equal([4L, 64L], tensors["base_model.model.model.layers.1.mlp.down_proj.lora_A.weight"].shape);

        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(tmp.Root, "adapter_config.json")));
        var c = config.RootElement;
        Assert.Equal("LORA", c.GetProperty("peft_type").GetString());
        Assert.Equal("CAUSAL_LM", c.GetProperty("task_type").GetString());
        Assert.Equal(4, c.GetProperty("r").GetInt32());
        Assert.Equal(8, c.GetProperty("lora_alpha").GetDouble());
        Assert.Equal(0, c.GetProperty("lora_dropout").GetDouble());
        Assert.True(c.GetProperty("use_rslora").GetBoolean());
        Assert.Equal("none", c.GetProperty("bias").GetString());
        Assert.Equal("base-dir", c.GetProperty("base_model_name_or_path").GetString());
        Assert.Equal(["down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj", "v_proj"], c.GetProperty("target_modules").EnumerateArray().Select(e => e.GetString()));

        // rsLoRA was recorded, so reloading applies alpha/√r = 4 rather than alpha/r = 2.
        var reloaded = TinyLlama.Create(1);
        var options = PeftAdapter.Load(reloaded, tmp.Root);
        Assert.True(options.UseRsLora);
        Assert.Equal(4.0, ((LoraLinear)reloaded.Model.Layers[0].SelfAttn.QProj).Scaling("default"));
    }

    [Fact]
    public void A_saved_adapter_reloads_to_identical_logits_and_merges_to_logits_within_1e4()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        using var scope = NewDisposeScope();
        var model = Adapted(2);
        var ids = tensor(new long[] { 1, 5, 9, 200, 33, 7, 7, 90, 256, 12 }, [2, 5]);
        var adapted = model.call(ids).detach().clone();
        PeftAdapter.Save(tmp.Root, model, Options, null);

        var reloaded = TinyLlama.Create(2);
        var baseLogits = reloaded.call(ids).detach().clone();
        PeftAdapter.Load(reloaded, tmp.Root);
        reloaded.eval();
        Assert.True(TensorAssert.Same(reloaded.call(ids), adapted));
        Assert.True((adapted - baseLogits).abs().max().item<float>() > 1e-2); // the adapter matters

        AdapterMerger.Merge(reloaded);
        var merged = reloaded.call(ids);
        Assert.True((merged - adapted).abs().max().item<float>() < 1e-4, $"max diff {(merged - adapted).abs().max().item<float>()}");

        // And through the checkpoint files, as `lever adapter merge` does it.
        HfCheckpoint.Save(tmp.Combine("merged"), reloaded);
        File.Copy(Path.Combine(tmp.Root, "adapter_config.json"), tmp.Combine("merged/adapter_config.json"));
        using var fromDisk = HfCheckpoint.Load(tmp.Combine("merged"));
        Assert.True((fromDisk.call(ids) - adapted).abs().max().item<float>() < 1e-4);
        Assert.DoesNotContain(fromDisk.state_dict().Keys, k => k.Contains("lora", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_adapters_on_one_base_are_chosen_per_request_and_equal_their_single_adapter_models()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 3, 1, 4, 1, 5, 9 }, [1, 6]);
        var a = Adapted(3);
        PeftAdapter.Save(tmp.Combine("a"), a, Options, null);
        var aLogits = a.call(ids).detach().clone();
        var b = TinyLlama.Create(3);
        LoraInjector.Inject(b, Options with { TargetModules = ["q", "v"] }, seed: 11);
        using (no_grad())
            foreach (var (_, layer) in LoraInjector.LoraLayers(b)) layer.B("default").weight!.normal_(0, 0.3, new Generator(12));
        b.eval();
        PeftAdapter.Save(tmp.Combine("b"), b, Options with { TargetModules = ["q", "v"] }, null);
        var bLogits = b.call(ids).detach().clone();

        var shared = TinyLlama.Create(3);
        var baseLogits = shared.call(ids).detach().clone();
        PeftAdapter.Load(shared, tmp.Combine("a"), "a");
        PeftAdapter.Load(shared, tmp.Combine("b"), "b");
        shared.eval();
        LoraInjector.SetActiveAdapter(shared, "a");
        Assert.True(shared.call(ids).allclose(aLogits, rtol: 0, atol: 1e-6));
        LoraInjector.SetActiveAdapter(shared, "b");
        Assert.True(shared.call(ids).allclose(bLogits, rtol: 0, atol: 1e-6));
        LoraInjector.SetActiveAdapter(shared, null);
        Assert.True(shared.call(ids).allclose(baseLogits, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void Loading_an_adapter_for_another_model_is_a_clear_user_error()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        using var scope = NewDisposeScope();
        PeftAdapter.Save(tmp.Root, Adapted(1), Options, null);
        var other = new Engine.Modules.LlamaForCausalLM(TinyLlama.Config() with { HiddenSize = 48, NumAttentionHeads = 4 });
        var ex = Assert.Throws<Core.LeverUserException>(() => PeftAdapter.Load(other, tmp.Root));
        Assert.Contains("has shape [4,32], the model needs [4,48]", ex.Message, StringComparison.Ordinal);
    }
}
