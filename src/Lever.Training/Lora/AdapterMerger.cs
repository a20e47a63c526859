// Folding an adapter into the base weights (PEFT's merge_and_unload): W ← W + scaling·B·A, computed in float32 and
// checked for non-finite values before any weight is touched, so a broken adapter can never half-corrupt a model.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lever.Training.Lora;

/// <summary>Merges LoRA adapters into dense base weights and removes the wrappers.</summary>
public static class AdapterMerger
{
    /// <summary>
    /// Merges adapter <paramref name="adapterName"/> into every wrapped layer and unwraps them, leaving a plain model.
    /// Throws (changing nothing) when any delta is NaN/inf or a base is quantized.
    /// </summary>
    public static int Merge(nn.Module model, string adapterName = LoraInjector.DefaultAdapter)
    {
        var layers = LoraLayers(model, adapterName);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        // 1) compute every delta and check it before touching any weight
        var deltas = new List<(Linear Base, Tensor Delta)>();
        foreach (var (path, layer) in layers)
        {
            if (layer.BaseLayer is not Linear dense)
                throw new InvalidOperationException($"{path}: the base is quantized; load the base in float32 to merge");
            var delta = layer.Delta(adapterName);
            var merged = dense.weight!.to(ScalarType.Float32) + delta;
            if (!merged.isfinite().all().item<bool>())
                throw new Core.LeverUserException($"adapter '{adapterName}' gives non-finite weights at {path}", "the adapter is broken (diverged training?); nothing was merged");
            deltas.Add((dense, merged));
        }
        // 2) commit
        foreach (var (dense, merged) in deltas) dense.weight!.copy_(merged.to(dense.weight!.dtype));
        LoraInjector.Unwrap(model);
        return deltas.Count;
    }

    private static List<(string, LoraLinear)> LoraLayers(nn.Module model, string adapterName)
    {
        var layers = LoraInjector.LoraLayers(model).Where(l => l.Layer.Adapters.Contains(adapterName)).Select(l => (l.Path, l.Layer)).ToList();
        if (layers.Count == 0) throw new Core.LeverUserException($"adapter '{adapterName}' is not loaded on this model", "load it first");
        return layers;
    }
}
