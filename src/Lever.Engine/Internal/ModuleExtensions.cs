using static TorchSharp.torch;

namespace Lever.Engine.Internal;

/// <summary>Helpers for swapping submodules while keeping their registered (HF) names.</summary>
internal static class ModuleExtensions
{
    /// <summary>
    /// Removes the submodule registered as <paramref name="name"/> and registers <paramref name="value"/> there,
    /// so a LoRA or quantized wrapper takes the place of a projection and state-dict keys keep the HF prefix.
    /// </summary>
    public static T Replace<T>(this nn.Module owner, string name, T value) where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(value);
        owner.register_module(name, null!);   // a null module unregisters the name
        owner.register_module(name, value);
        return value;
    }
}
