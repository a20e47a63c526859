// Hugging Face checkpoint folders: config.json + model.safetensors, or shards listed in model.safetensors.index.json.
// Loading is strict: every parameter of the model must be in the files with the right shape, and unknown tensors
// are refused (they mean the config and the weights disagree), except the few HF itself ignores.
using Lever.Core;
using Lever.Engine.Modules;
using static TorchSharp.torch;

namespace Lever.Engine.Checkpoints;

/// <summary>Loads and saves Llama-family models in Hugging Face layout.</summary>
public static class HfCheckpoint
{
    /// <summary>Hyperparameters file.</summary>
    public const string ConfigFile = "config.json";

    /// <summary>Single-file weights.</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>Index of sharded weights.</summary>
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>Default largest shard when saving (HF's default is 5 GB; 2 GB keeps files easy to move).</summary>
    public const long DefaultMaxShardBytes = 2L << 30;

    /// <summary>Reads config.json and the weights in <paramref name="directory"/> into a new model.</summary>
    public static LlamaForCausalLM Load(string directory, Device? device = null)
    {
        if (!Directory.Exists(directory))
            throw new LeverUserException($"{directory}: model folder not found", "pass a folder with config.json and model.safetensors (create one with `lever model init`)");
        var config = LlamaConfig.Load(Path.Combine(directory, ConfigFile));
        RequireWeightsFit(config, directory);
        var model = new LlamaForCausalLM(config, device);
        LoadWeights(model, directory);
        model.eval();
        return model;
    }

    /// <summary>
    /// Like <see cref="Load"/>, but every projection's module is made by <paramref name="projection"/> from its float32
    /// weight (out, in) and bias as they are read, one at a time, and each tensor's file pages are released once read:
    /// a loader that quantizes (QLoRA) never holds the float32 model. <paramref name="projection"/> returning null keeps a
    /// dense nn.Linear. The weight and bias it gets are disposed after it returns, so it must copy what it keeps.
    /// </summary>
    public static LlamaForCausalLM LoadStreaming(string directory, Func<ProjectionSlot, Tensor, Tensor?, nn.Module<Tensor, Tensor>?> projection)
    {
        ArgumentNullException.ThrowIfNull(projection);
        if (!Directory.Exists(directory))
            throw new LeverUserException($"{directory}: model folder not found", "pass a folder with config.json and model.safetensors (create one with `lever model init`)");
        var config = LlamaConfig.Load(Path.Combine(directory, ConfigFile));
        RequireWeightsFit(config, directory);
        var model = new LlamaForCausalLM(config, CPU, projectionDevice: META);   // projections: shapes only, no memory
        LoadWeights(model, directory, projection);
        Internal.LibC.MallocTrim();
        model.eval();
        return model;
    }

    /// <summary>
    /// Refuses a config.json that describes a larger model than the weights hold before the model is allocated: a
    /// corrupted hidden_size or num_hidden_layers would otherwise allocate gigabytes (or fail in libtorch) first. The
    /// bound is a lower one (embeddings and MLPs only), so a config that fits its weights always passes.
    /// </summary>
    private static void RequireWeightsFit(LlamaConfig config, string directory)
    {
        double stored = 0;
        foreach (var path in WeightFiles(directory).Values.Distinct())
        {
            using var file = SafeTensorsFile.Open(path);
            foreach (var t in file.Tensors.Values) stored += t.Shape.Aggregate(1.0, (a, d) => a * d);
        }
        var needed = (double)config.VocabSize * config.HiddenSize + 3.0 * config.NumHiddenLayers * config.HiddenSize * config.IntermediateSize;
        if (needed > stored)
            throw new LeverUserException(
                $"{Path.Combine(directory, ConfigFile)}: describes a model of at least {needed:N0} parameters, but the weights hold {stored:N0}",
                "config.json does not belong to these weights (or is damaged): use the checkpoint's own config.json");
    }

    /// <summary>Fills <paramref name="model"/>'s parameters from the safetensors file(s) in <paramref name="directory"/>.</summary>
    public static void LoadWeights(LlamaForCausalLM model, string directory) => LoadWeights(model, directory, null);

    private static void LoadWeights(LlamaForCausalLM model, string directory, Func<ProjectionSlot, Tensor, Tensor?, nn.Module<Tensor, Tensor>?>? projection)
    {
        var files = WeightFiles(directory);
        var opened = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        try
        {
            SafeTensorsFile FileFor(string name)
            {
                var file = files.TryGetValue(name, out var f) ? f : files.Count == 1 ? files.Values.First() : null;
                if (file is null)
                    throw new LeverUserException($"{Path.Combine(directory, IndexFile)}: tensor {name} is missing from weight_map", "the checkpoint does not match config.json, or it is incomplete");
                if (!opened.TryGetValue(file, out var open)) opened[file] = open = SafeTensorsFile.Open(file);
                return open;
            }

            var streamed = new HashSet<string>(StringComparer.Ordinal);
            if (projection is not null)
            {
                foreach (var slot in model.Projections().ToList())
                {
                    var placeholder = (TorchSharp.Modules.Linear)slot.Get();   // on the meta device
                    var weight = ReadReleased(FileFor(slot.Name + ".weight"), slot.Name + ".weight", placeholder.weight!.shape);
                    var bias = placeholder.bias is null ? null : ReadReleased(FileFor(slot.Name + ".bias"), slot.Name + ".bias", placeholder.bias.shape);
                    var module = projection(slot, weight, bias) ?? Dense(weight, bias);
                    slot.Set(module);
                    placeholder.Dispose();
                    weight.Dispose();
                    bias?.Dispose();
                    streamed.Add(slot.Name + ".weight");
                    if (bias is not null) streamed.Add(slot.Name + ".bias");
                }
            }

            var expected = model.state_dict();
            foreach (var (name, tensor) in expected)
            {
                if (streamed.Contains(name)) continue;
                var file = FileFor(name);
                file.CopyTo(name, tensor);
                RequireFinite(file.Path, name, tensor);
                if (projection is not null) file.ReleasePages(name);
            }

            // Anything stored that the model has no place for means config and weights disagree.
            foreach (var file in files.Values.Distinct())
            {
                if (!opened.TryGetValue(file, out var open)) opened[file] = open = SafeTensorsFile.Open(file);
                foreach (var name in open.Tensors.Keys)
                {
                    if (expected.ContainsKey(name) || streamed.Contains(name) || IgnoredOnLoad(name, model.Config)) continue;
                    throw new LeverUserException($"{file}: tensor {name} has no place in a model with this config.json", "the weights were saved for a different architecture or config");
                }
            }
        }
        finally
        {
            foreach (var f in opened.Values) f.Dispose();
        }
    }

    private static Tensor ReadReleased(SafeTensorsFile file, string name, long[] shape)
    {
        var info = file.Info(name);
        if (!info.Shape.SequenceEqual(shape))
            throw SafeTensorsFile.Error(file.Path, $"tensor {name}: shape [{string.Join(", ", info.Shape)}] does not match the model's [{string.Join(", ", shape)}]", "the checkpoint was saved for a different config.json");
        var tensor = file.Read(name, ScalarType.Float32);
        file.ReleasePages(name);
        RequireFinite(file.Path, name, tensor);
        return tensor;
    }

    /// <summary>
    /// Corrupted tensor data passes every header check; NaN or infinite weights would only surface as a crash deep in
    /// sampling. One pass over each tensor at load (a fraction of the read) refuses them with the file and tensor
    /// (a <see cref="LeverUserException"/>).
    /// </summary>
    public static void RequireFinite(string path, string name, Tensor tensor)
    {
        if (!tensor.is_floating_point()) return;
        using var scope = NewDisposeScope();
        var finite = tensor.isfinite();
        if (finite.all().item<bool>()) return;
        var bad = (~finite).sum().item<long>();
        var nan = tensor.isnan().sum().item<long>();
        throw SafeTensorsFile.Error(path, $"tensor {name}: {bad} of {tensor.numel()} values are not finite ({nan} NaN, {bad - nan} infinite)",
            "the weights are damaged (a bad download or disk): re-download or re-save the checkpoint");
    }

    private static TorchSharp.Modules.Linear Dense(Tensor weight, Tensor? bias)
    {
        var dense = nn.Linear(weight.shape[1], weight.shape[0], hasBias: bias is not null);
        using var noGrad = no_grad();
        dense.weight!.copy_(weight);
        dense.bias?.copy_(bias!);
        return dense;
    }

    // HF keeps lm_head.weight in some tied checkpoints and old Llama checkpoints carry RoPE tables; both are derived.
    private static bool IgnoredOnLoad(string name, LlamaConfig config) =>
        name.EndsWith("rotary_emb.inv_freq", StringComparison.Ordinal) || (config.TieWordEmbeddings && name == "lm_head.weight");

    /// <summary>Tensor name → safetensors file for the checkpoint in <paramref name="directory"/> (a single file maps everything).</summary>
    public static IReadOnlyDictionary<string, string> WeightFiles(string directory)
    {
        var index = Path.Combine(directory, IndexFile);
        if (File.Exists(index))
            return SafeTensorsIndex.ReadWeightMap(index).ToDictionary(kv => kv.Key, kv => Path.Combine(directory, kv.Value), StringComparer.Ordinal);
        var single = Path.Combine(directory, WeightsFile);
        if (File.Exists(single)) return new Dictionary<string, string> { [""] = single };
        throw new LeverUserException($"{directory}: no {WeightsFile} or {IndexFile}", "the folder must hold Hugging Face safetensors weights (PyTorch .bin files are not read: convert them with safetensors first)");
    }

    /// <summary>
    /// Writes config.json and the weights (as <paramref name="dtype"/>, default float32) into <paramref name="directory"/>,
    /// split into shards of at most <paramref name="maxShardBytes"/> with an index when they do not fit in one file.
    /// </summary>
    public static void Save(string directory, LlamaForCausalLM model, ScalarType dtype = ScalarType.Float32, long maxShardBytes = DefaultMaxShardBytes)
    {
        ArgumentNullException.ThrowIfNull(model);
        Directory.CreateDirectory(directory);
        var state = model.state_dict();
        var config = model.Config with { TorchDtype = dtype switch { ScalarType.BFloat16 => "bfloat16", ScalarType.Float16 => "float16", _ => "float32" }, Architectures = ["LlamaForCausalLM"] };
        config.Save(Path.Combine(directory, ConfigFile));

        // Group tensors into shards in state-dict order (layer by layer), as HF does.
        var shards = new List<List<string>> { new() };
        long shardBytes = 0, total = 0;
        var elementSize = empty(0, dtype).ElementSize;
        foreach (var (name, t) in state)
        {
            var bytes = t.numel() * elementSize;
            if (shards[^1].Count > 0 && shardBytes + bytes > maxShardBytes)
            {
                shards.Add([]);
                shardBytes = 0;
            }
            shards[^1].Add(name);
            shardBytes += bytes;
            total += bytes;
        }

        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        foreach (var stale in Directory.EnumerateFiles(directory, "model*.safetensors")) File.Delete(stale);
        var indexPath = Path.Combine(directory, IndexFile);
        if (File.Exists(indexPath)) File.Delete(indexPath);
        if (shards.Count == 1)
        {
            WriteShard(Path.Combine(directory, WeightsFile), shards[0], state, dtype, metadata);
            return;
        }
        var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < shards.Count; i++)
        {
            var file = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            WriteShard(Path.Combine(directory, file), shards[i], state, dtype, metadata);
            foreach (var name in shards[i]) weightMap[name] = file;
        }
        SafeTensorsIndex.Write(indexPath, weightMap, total);
    }

    private static void WriteShard(string path, List<string> names, Dictionary<string, Tensor> state, ScalarType dtype, Dictionary<string, string> metadata)
    {
        using var scope = NewDisposeScope();
        var tensors = names.ToDictionary(n => n, n => state[n].detach().to(dtype), StringComparer.Ordinal);
        SafeTensors.Write(path, tensors, metadata);
    }
}
