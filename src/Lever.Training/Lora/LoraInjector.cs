// Injection by target module names, as PEFT's LoraModel does: walk the module tree, find each projection whose
// registered name is a target, and swap in a wrapper through the owner's public property (the engine's contract:
// every projection is a settable Module<Tensor, Tensor> that re-registers under the same name). Nothing subclasses
// the model, so any module following that contract can be adapted.
using System.Reflection;
using Lever.Engine.Checkpoints;
using Lever.Engine.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lever.Training.Lora;

/// <summary>Adds, selects, freezes around, and removes LoRA adapters on a model.</summary>
public static class LoraInjector
{
    /// <summary>The adapter name used when none is given (PEFT's too).</summary>
    public const string DefaultAdapter = "default";

    /// <summary>Every swappable projection in <paramref name="root"/> whose registered name is in <paramref name="names"/> (all when null), in module order.</summary>
    public static IReadOnlyList<LoraTarget> FindTargets(nn.Module root, IReadOnlyCollection<string>? names = null)
    {
        var found = new List<LoraTarget>();
        var modules = new List<(string, nn.Module)> { ("", root) };
        modules.AddRange(root.named_modules());
        foreach (var (path, module) in modules)
        {
            if (module is LoraLinear) continue;
            var children = module.named_children().ToList();
            foreach (var property in module.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (!property.CanWrite || !typeof(nn.Module<Tensor, Tensor>).IsAssignableFrom(property.PropertyType)) continue;
                if (property.GetIndexParameters().Length > 0) continue;
                var value = property.GetValue(module);
                var name = children.FirstOrDefault(c => ReferenceEquals(c.Item2, value)).Item1;
                if (name is null || (names is not null && !names.Contains(name))) continue;
                found.Add(new LoraTarget(path.Length == 0 ? name : $"{path}.{name}", name, module, property));
            }
        }
        return found;
    }

    /// <summary>
    /// Adds adapter <paramref name="adapterName"/> on every target of <paramref name="options"/>, freezes every other
    /// parameter, and makes it active. With <paramref name="quantizeBase"/> (QLoRA), the projections are first
    /// replaced by NF4 copies (all of them, targeted or not, as QLoRA quantizes the whole base).
    /// Returns the wrapped layers by path.
    /// </summary>
    public static IReadOnlyDictionary<string, LoraLinear> Inject(nn.Module model, LoraOptions options, string adapterName = DefaultAdapter,
        long seed = 0, bool quantizeBase = false, bool doubleQuantize = false)
    {
        options.Validate();
        var targets = options.NormalizedTargets;
        if (quantizeBase) QuantizeProjections(model, doubleQuantize);

        foreach (var p in model.parameters()) p.requires_grad = false;
        var generator = new Generator((ulong)seed);
        var wrapped = new Dictionary<string, LoraLinear>(StringComparer.Ordinal);
        foreach (var target in FindTargets(model, targets))
        {
            var current = target.Current;
            if (current is not LoraLinear lora)
            {
                if (current is not (Linear or Nf4Linear)) continue; // e.g. a tied lm_head: nothing to adapt
                lora = new LoraLinear(current);
                target.Replace(lora);
            }
            lora.AddAdapter(adapterName, options, generator);
            wrapped[target.Path] = lora;
        }
        if (wrapped.Count == 0)
            throw new Core.LeverUserException($"no module matches the LoRA targets {string.Join(",", targets)}",
                $"the model's projections are {string.Join(",", FindTargets(model).Select(t => t.Name).Distinct())}");

        foreach (var lora in wrapped.Values)
        {
            lora.A(adapterName).weight!.requires_grad = true;
            lora.B(adapterName).weight!.requires_grad = true;
        }
        SetActiveAdapter(model, adapterName);
        return wrapped;
    }

    /// <summary>Replaces every dense projection with an NF4 one (freeing the float32 weight). Returns float32 bytes before and NF4 bytes after.</summary>
    public static (long Float32Bytes, long Nf4Bytes) QuantizeProjections(nn.Module model, bool doubleQuantize = false)
    {
        long before = 0, after = 0;
        foreach (var target in FindTargets(model, LoraOptions.DefaultTargets))
        {
            if (target.Current is not Linear dense) continue;
            var q = new Nf4Linear(dense, doubleQuantize);
            before += dense.weight!.numel() * 4;
            after += q.Weight.StorageBytes;
            target.Replace(q);
            dense.Dispose();
        }
        return (before, after);
    }

    /// <summary>
    /// Loads the checkpoint in <paramref name="directory"/> with every projection quantized to NF4 as it is read, one
    /// at a time, so the float32 model is never in memory (the peak of <c>--method qlora</c> was the float32 load).
    /// The result equals <see cref="HfCheckpoint.Load"/> followed by <see cref="QuantizeProjections"/>, bit for bit.
    /// Returns float32 bytes of the quantized projections and their NF4 bytes.
    /// </summary>
    public static (LlamaForCausalLM Model, long Float32Bytes, long Nf4Bytes) LoadQuantized(string directory, bool doubleQuantize = false)
    {
        long before = 0, after = 0;
        var model = HfCheckpoint.LoadStreaming(directory, (slot, weight, bias) =>
        {
            if (!LoraOptions.DefaultTargets.Contains(slot.Kind)) return null;   // as QuantizeProjections: an untied lm_head stays dense
            var q = new Nf4Linear(weight, bias, doubleQuantize);
            before += weight.numel() * 4;
            after += q.Weight.StorageBytes;
            return q;
        });
        return (model, before, after);
    }

    /// <summary>Every LoRA-wrapped layer of <paramref name="model"/> by path.</summary>
    public static IReadOnlyList<(string Path, LoraLinear Layer)> LoraLayers(nn.Module model) =>
        FindTargets(model).Where(t => t.Current is LoraLinear).Select(t => (t.Path, (LoraLinear)t.Current)).ToList();

    /// <summary>Selects the adapter every LoRA layer applies (null: the bare base model).</summary>
    public static void SetActiveAdapter(nn.Module model, string? adapterName)
    {
        var layers = LoraLayers(model);
        if (adapterName is not null && !layers.Any(l => l.Layer.Adapters.Contains(adapterName)))
            throw new Core.LeverUserException($"adapter '{adapterName}' is not loaded", $"loaded adapters: {string.Join(", ", layers.SelectMany(l => l.Layer.Adapters).Distinct())}");
        foreach (var (_, layer) in layers) layer.ActiveAdapter = adapterName is not null && layer.Adapters.Contains(adapterName) ? adapterName : null;
    }

    /// <summary>Puts back the base projection wherever a LoRA wrapper is (adapters are dropped).</summary>
    public static void Unwrap(nn.Module model)
    {
        foreach (var target in FindTargets(model))
            if (target.Current is LoraLinear lora) target.Replace(lora.BaseLayer);
    }

    /// <summary>Parameters that receive gradients (and optimizer state).</summary>
    public static IReadOnlyList<(string Name, Parameter Parameter)> Trainable(nn.Module model) =>
        model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter)).ToList();
}
