using Lever.Engine.Gguf;
using Lever.Providers.LlamaCpp;

namespace Lever.Cli.Commands;

/// <summary>A checkpoint written as GGUF of any type the CLI offers: f32/f16 by the engine's exporter, q8_0/q4_k_m by llama.cpp's quantizer over an F32 export.</summary>
internal static class GgufFiles
{
    /// <summary>What was written: the (F32 or F16) export, and each tensor's type when llama.cpp quantized it (null otherwise).</summary>
    public sealed record Written(GgufExport Export, IReadOnlyList<GgufTensorType>? Quantized);

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> as <paramref name="type"/>; <paramref name="stage"/>
    /// is told each step ("export", "quantize") so a command can show it.
    /// </summary>
    public static Written Write(string model, string path, string type, Action<string, Action>? stage = null)
    {
        stage ??= (_, step) => step();
        var kind = type.ToLowerInvariant();
        GgufExport? exported = null;
        if (!GgufQuantizer.Types.Contains(kind))
        {
            stage("export", () => exported = GgufExporter.Export(model, path, kind));
            return new Written(exported!, null);
        }
        // Quantized: an F32 export first, then llama.cpp's quantizer.
        var f32 = path + ".f32.tmp";
        try
        {
            IReadOnlyList<GgufTensorType>? tensors = null;
            stage("export", () => exported = GgufExporter.Export(model, f32, "f32"));
            stage("quantize", () => tensors = GgufQuantizer.Quantize(f32, path, kind));
            return new Written(exported!, tensors);
        }
        finally
        {
            if (File.Exists(f32)) File.Delete(f32);
        }
    }
}
