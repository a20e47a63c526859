using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lever.Training.Internal;

/// <summary>
/// Per-adapter linear maps registered under the adapter's name, so state-dict keys read
/// <c>lora_A.&lt;adapter&gt;.weight</c> as in PEFT (TorchSharp's ModuleDict does not register entries added later).
/// </summary>
internal sealed class AdapterDict : nn.Module
{
    private readonly Dictionary<string, Linear> _items = new(StringComparer.Ordinal);

    public AdapterDict() : base(nameof(AdapterDict)) { }

    public Linear this[string name] => _items[name];

    public void Add(string name, Linear module)
    {
        _items.Add(name, module);
        register_module(name, module);
    }

    public void Remove(string name)
    {
        if (!_items.Remove(name, out var module)) return;
        register_module(name, null!);
        module.Dispose();
    }

    protected override void RegisterComponents() { }
}
