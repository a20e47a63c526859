// LoRA adapters in Hugging Face PEFT's on-disk format, so adapters move between Lever, PEFT/transformers and tools
// that read PEFT (llama.cpp's converter, vLLM): adapter_config.json plus adapter_model.safetensors whose keys are
// base_model.model.<module path>.lora_A.weight (r, in) and .lora_B.weight (out, r) — no adapter name in the key.
using System.Text.Json;
using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Engine.Checkpoints;
using static TorchSharp.torch;

namespace Lever.Training.Lora;

/// <summary>Saves and loads PEFT-format LoRA adapters.</summary>
public static class PeftAdapter
{
    /// <summary>The adapter's hyperparameters file.</summary>
    public const string ConfigFile = "adapter_config.json";

    /// <summary>The adapter's weights file.</summary>
    public const string WeightsFile = "adapter_model.safetensors";

    private const string Prefix = "base_model.model.";

    /// <summary>Writes adapter <paramref name="adapterName"/> of <paramref name="model"/> to <paramref name="directory"/>.</summary>
    public static void Save(string directory, nn.Module model, LoraOptions options, string? baseModel, string adapterName = LoraInjector.DefaultAdapter)
    {
        Directory.CreateDirectory(directory);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var targets = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (path, layer) in LoraInjector.LoraLayers(model))
        {
            if (!layer.Adapters.Contains(adapterName)) continue;
            tensors[$"{Prefix}{path}.lora_A.weight"] = layer.A(adapterName).weight!.detach().to(ScalarType.Float32).contiguous();
            tensors[$"{Prefix}{path}.lora_B.weight"] = layer.B(adapterName).weight!.detach().to(ScalarType.Float32).contiguous();
            targets.Add(path[(path.LastIndexOf('.') + 1)..]);
        }
        if (tensors.Count == 0) throw new InvalidOperationException($"adapter '{adapterName}' is not on this model");
        var config = new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["r"] = options.Rank,
            ["lora_alpha"] = options.Alpha,
            ["lora_dropout"] = options.Dropout,
            ["target_modules"] = new JsonArray(targets.Select(t => (JsonNode)t).ToArray()),
            ["use_rslora"] = options.UseRsLora,
            ["bias"] = "none",
            ["fan_in_fan_out"] = false,
            ["inference_mode"] = true,
            ["base_model_name_or_path"] = baseModel,
        };
        Internal.AtomicFile.WriteAllText(Path.Combine(directory, ConfigFile), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        SafeTensors.Write(Path.Combine(directory, WeightsFile), tensors, new Dictionary<string, string> { ["format"] = "pt" });
    }

    /// <summary>Reads adapter_config.json in <paramref name="directory"/>.</summary>
    public static (LoraOptions Options, string? BaseModel) ReadConfig(string directory)
    {
        var path = Path.Combine(directory, ConfigFile);
        if (!File.Exists(path)) throw new LeverUserException($"{path}: not found", "an adapter folder holds adapter_config.json and adapter_model.safetensors (PEFT format)");
        JsonNode root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new JsonException("empty");
        }
        catch (JsonException ex)
        {
            throw new LeverUserException($"{path}: invalid JSON ({ex.Message})", "re-save the adapter");
        }
        T Field<T>(string name, T fallback)
        {
            var node = root[name];
            try
            {
                return node is null ? fallback : node.GetValue<T>();
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException)
            {
                throw new LeverUserException($"{path}: field {name} has the wrong type", "see PEFT's LoraConfig for the expected fields");
            }
        }
        if (!string.Equals(Field<string?>("peft_type", null), "LORA", StringComparison.OrdinalIgnoreCase))
            throw new LeverUserException($"{path}: peft_type is not LORA", "only LoRA adapters are supported");
        if (!string.Equals(Field("bias", "none"), "none", StringComparison.Ordinal))
            throw new LeverUserException($"{path}: bias \"{Field("bias", "none")}\" is not supported", "train the adapter with bias=\"none\"");
        var targets = root["target_modules"] switch
        {
            JsonArray a => a.Select(n => n!.GetValue<string>()).ToList(),
            JsonValue v => [v.GetValue<string>()],
            _ => throw new LeverUserException($"{path}: target_modules is missing", "list the adapted modules, e.g. [\"q_proj\",\"v_proj\"]"),
        };
        var options = new LoraOptions
        {
            Rank = Field("r", 8),
            Alpha = Field("lora_alpha", 8.0),
            Dropout = Field("lora_dropout", 0.0),
            TargetModules = targets,
            UseRsLora = Field("use_rslora", false),
        };
        return (options, Field<string?>("base_model_name_or_path", null));
    }

    /// <summary>
    /// Loads the adapter in <paramref name="directory"/> onto <paramref name="model"/> as <paramref name="adapterName"/>
    /// (other adapters stay; this one becomes active). Every tensor must find its layer with the right shape.
    /// </summary>
    public static LoraOptions Load(nn.Module model, string directory, string adapterName = LoraInjector.DefaultAdapter)
    {
        var (options, _) = ReadConfig(directory);
        var weightsPath = Path.Combine(directory, WeightsFile);
        if (!File.Exists(weightsPath)) throw new LeverUserException($"{weightsPath}: not found", "the adapter folder is incomplete");
        var trainable = model.parameters().Where(p => p.requires_grad).ToList();
        var layers = LoraInjector.Inject(model, options, adapterName);
        // Loading is for inference: leave requires_grad as the caller had it on other parameters, none on this adapter.
        using var noGrad = no_grad();
        using var file = SafeTensors.Open(weightsPath);
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, layer) in layers)
        {
            foreach (var (key, target) in new[] { ($"{Prefix}{path}.lora_A.weight", layer.A(adapterName).weight!), ($"{Prefix}{path}.lora_B.weight", layer.B(adapterName).weight!) })
            {
                if (!file.Tensors.ContainsKey(key)) throw new LeverUserException($"{weightsPath}: tensor {key} is missing", "the adapter does not match this base model (different layers or targets)");
                var info = file.Info(key);
                if (!info.Shape.SequenceEqual(target.shape))
                    throw new LeverUserException($"{weightsPath}: {key} has shape [{string.Join(",", info.Shape)}], the model needs [{string.Join(",", target.shape)}]", "the adapter was trained for another base model or rank");
                file.CopyTo(key, target);
                target.requires_grad = false;
                expected.Add(key);
            }
        }
        foreach (var key in file.Tensors.Keys)
            if (!expected.Contains(key)) throw new LeverUserException($"{weightsPath}: tensor {key} has no place in this model", "the adapter does not match this base model");
        foreach (var p in trainable) p.requires_grad = true;
        return options;
    }

    /// <summary>
    /// Reads the adapter in <paramref name="directory"/> for <paramref name="model"/> without touching the model: its
    /// factors kept apart, to be applied unmerged per request on the shared base (many adapters on one base, each
    /// costing only its own factors). Every tensor must be a lora_A/lora_B of a projection of the model, shapes
    /// matching; a folder that is not a PEFT LoRA adapter for this base is a one-line user error.
    /// </summary>
    public static Lever.Engine.Modules.LoraWeights LoadUnmerged(Lever.Engine.Modules.LlamaForCausalLM model, string directory, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!Directory.Exists(directory)) throw new LeverUserException($"{directory}: not a directory", "give the folder of a PEFT LoRA adapter (adapter_config.json, adapter_model.safetensors)");
        var (options, _) = ReadConfig(directory);
        var weightsPath = Path.Combine(directory, WeightsFile);
        if (!File.Exists(weightsPath)) throw new LeverUserException($"{weightsPath}: not found", "the adapter folder is incomplete");
        using var file = SafeTensors.Open(weightsPath);
        using var scope = NewDisposeScope();
        var factors = new Dictionary<string, (Tensor A, Tensor B)>(StringComparer.Ordinal);
        foreach (var key in file.Tensors.Keys.Order(StringComparer.Ordinal))
        {
            const string a = ".lora_A.weight";
            if (!key.StartsWith(Prefix, StringComparison.Ordinal) || !(key.EndsWith(a, StringComparison.Ordinal) || key.EndsWith(".lora_B.weight", StringComparison.Ordinal)))
                throw new LeverUserException($"{weightsPath}: tensor {key} is not a LoRA factor", "only lora_A/lora_B weights are supported (bias=\"none\", no modules_to_save)");
            if (!key.EndsWith(a, StringComparison.Ordinal)) continue;
            var path = key[Prefix.Length..^a.Length];
            var bKey = $"{Prefix}{path}.lora_B.weight";
            if (!file.Tensors.ContainsKey(bKey)) throw new LeverUserException($"{weightsPath}: tensor {bKey} is missing", "the adapter file is incomplete");
            factors[path] = (file.Read(key, ScalarType.Float32), file.Read(bKey, ScalarType.Float32));
        }
        foreach (var key in file.Tensors.Keys.Where(k => k.EndsWith(".lora_B.weight", StringComparison.Ordinal)))
            if (!factors.ContainsKey(key[Prefix.Length..^".lora_B.weight".Length]))
                throw new LeverUserException($"{weightsPath}: tensor {key} has no lora_A", "the adapter file is incomplete");
        if (factors.Count == 0) throw new LeverUserException($"{weightsPath}: no LoRA factors", "the adapter file is empty");
        try
        {
            return Lever.Engine.Modules.LoraWeights.Create(name, model, factors, options.Scaling);
        }
        catch (ArgumentException ex)
        {
            throw new LeverUserException($"{weightsPath}: {ex.Message.Split(" (Parameter")[0]}", "the adapter was trained for another base model");
        }
    }
}
