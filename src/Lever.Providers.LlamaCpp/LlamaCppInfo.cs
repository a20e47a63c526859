// What lever doctor reports about the llama.cpp backend. The llama.cpp commit is the one LLamaSharp 0.30.0's release
// notes name (the native package carries no version string of its own); ggml's version and commit come from the loaded
// libggml-base (ggml_version, ggml_commit), the CPU variant from the folder LLamaSharp loaded libllama from
// (noavx, avx, avx2, avx512), and the features from llama_print_system_info.
using System.Runtime.InteropServices;
using LLama.Native;
using Lever.Providers.LlamaCpp.Internal;

namespace Lever.Providers.LlamaCpp;

/// <summary>The llama.cpp build this process loaded.</summary>
/// <param name="Backend">Binding and version.</param>
/// <param name="LlamaCppCommit">llama.cpp commit of the native package (from LLamaSharp's release notes).</param>
/// <param name="Ggml">ggml's version and commit as the loaded library reports them, or null.</param>
/// <param name="Variant">CPU variant loaded: noavx, avx, avx2 or avx512 (or the folder name when unrecognised).</param>
/// <param name="Library">Path of the loaded libllama, or null when it cannot be found.</param>
/// <param name="SystemInfo">llama.cpp's own summary of the CPU features it uses.</param>
public sealed record LlamaCppInfo(string Backend, string LlamaCppCommit, string? Ggml, string Variant, string? Library, string SystemInfo)
{
    /// <summary>The llama.cpp commit LLamaSharp 0.30.0 was built from.</summary>
    public const string BuiltFromCommit = "c0c7e147e7efa6c5858754b47259ba4880f8a906";

    /// <summary>Loads the native library (if not yet loaded) and describes it.</summary>
    public static LlamaCppInfo Probe()
    {
        LlamaNative.EnsureLoaded();
        var library = LlamaNative.LoadedPath("libllama.so");
        var variant = library is null ? "unknown" : Path.GetFileName(Path.GetDirectoryName(library)) ?? "unknown";
        var system = (Marshal.PtrToStringUTF8(NativeApi.llama_print_system_info()) ?? "").ReplaceLineEndings(" ").Trim();
        return new LlamaCppInfo("llama.cpp via LLamaSharp 0.30.0 (CPU)", BuiltFromCommit, GgmlBuild(library), variant, library, system);
    }

    private static unsafe string? GgmlBuild(string? library)
    {
        var path = library is null ? null : Path.Combine(Path.GetDirectoryName(library)!, "libggml-base.so");
        if (path is null || !File.Exists(path) || !NativeLibrary.TryLoad(path, out var handle)) return null;
        try
        {
            if (!NativeLibrary.TryGetExport(handle, "ggml_version", out var version) || !NativeLibrary.TryGetExport(handle, "ggml_commit", out var commit)) return null;
            var v = Marshal.PtrToStringUTF8(((delegate* unmanaged<IntPtr>)version)());
            var c = Marshal.PtrToStringUTF8(((delegate* unmanaged<IntPtr>)commit)());
            return $"ggml {v} ({c})";
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }
}
