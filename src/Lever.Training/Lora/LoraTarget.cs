using System.Reflection;
using static TorchSharp.torch;

namespace Lever.Training.Lora;

/// <summary>
/// A replaceable projection found in a model: the module that owns it, the public property that swaps it, its
/// registered (HF) name and full dotted path, e.g. <c>model.layers.0.self_attn.q_proj</c>.
/// </summary>
public sealed record LoraTarget(string Path, string Name, nn.Module Owner, PropertyInfo Property)
{
    /// <summary>The projection currently in place.</summary>
    public nn.Module<Tensor, Tensor> Current => (nn.Module<Tensor, Tensor>)Property.GetValue(Owner)!;

    /// <summary>Puts <paramref name="module"/> in its place (the owner re-registers it under <see cref="Name"/>).</summary>
    public void Replace(nn.Module<Tensor, Tensor> module) => Property.SetValue(Owner, module);
}
