using LLama.Native;

namespace Lever.Providers.LlamaCpp;

/// <summary>
/// A GGUF LoRA adapter (what <c>lever adapter export-gguf</c> writes) loaded into one <see cref="LlamaCppModel"/>:
/// llama.cpp keeps its tensors beside the base weights, and a call that names it runs the context with it applied.
/// Created by <see cref="LlamaCppModel.LoadAdapter"/>; released by <see cref="LlamaCppModel.UnloadAdapter"/>.
/// </summary>
public sealed class LlamaCppAdapter
{
    internal LlamaCppAdapter(string name, string path, LoraAdapter native, long bytes)
    {
        Name = name;
        Path = path;
        Native = native;
        Bytes = bytes;
    }

    /// <summary>The model id requests pick it by.</summary>
    public string Name { get; }

    /// <summary>The .gguf adapter file.</summary>
    public string Path { get; }

    /// <summary>Bytes of the adapter's tensors (the file's size: F32 factors, a few KiB to MiB).</summary>
    public long Bytes { get; }

    internal LoraAdapter Native { get; }

    internal bool Unloaded { get; set; }
}
