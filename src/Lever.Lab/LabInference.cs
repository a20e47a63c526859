using Lever.Core;
using Lever.Core.Config;
using Lever.Providers;

namespace Lever.Lab;

/// <summary>
/// The backend a lab run scores its own models on (<c>lab.inference</c>), fixed for the run: the engine, or llama.cpp
/// on a GGUF export of each trained model. The program supplies what the lab cannot reference itself: a provider
/// connection that serves <c>kind: llamacpp</c> and the GGUF writer (export plus llama.cpp's quantizer).
/// </summary>
public sealed class LabInference
{
    /// <summary>Writes the checkpoint in <c>modelDirectory</c> as a GGUF of weight type <c>type</c> at <c>ggufPath</c>.</summary>
    public delegate void ExportGguf(string modelDirectory, string ggufPath, string type);

    private const string LlamaCppKind = "llamacpp";
    private readonly ProviderConnection? _connection;
    private readonly ExportGguf? _export;

    /// <summary>Inference under <paramref name="options"/>; <paramref name="connection"/> and <paramref name="export"/> are needed for llama.cpp.</summary>
    public LabInference(LabInferenceOptions options, ProviderConnection? connection = null, ExportGguf? export = null)
    {
        Options = options;
        _connection = connection;
        _export = export;
    }

    /// <summary>The engine at F32: what a lab without <c>lab.inference</c> runs on.</summary>
    public static LabInference Engine { get; } = new(new LabInferenceOptions());

    /// <summary>The settings.</summary>
    public LabInferenceOptions Options { get; }

    /// <summary>
    /// What enters the evaluation fingerprint of every row scored by the lab's own model: empty on the engine (the caches
    /// of runs made before this setting stay valid), the backend and weight type otherwise, so switching re-measures.
    /// </summary>
    public string Fingerprint => Options.IsLlamaCpp ? $"inference={Options.Backend};{Options.Quantization};gguf-v1" : "";

    /// <summary>
    /// A llama.cpp scorer over <paramref name="modelDirectory"/>'s GGUF export (written beside its weights on first use,
    /// and again when the weights are newer), or null on the engine, which scores the checkpoint itself.
    /// </summary>
    internal IContinuationScorer? OpenScorer(string modelDirectory)
    {
        if (!Options.IsLlamaCpp) return null;
        if (_export is null || _connection is null || !_connection.Backends.Serves(LlamaCppKind))
            throw new LeverUserException("lab.inference.backend: llamacpp, but this program has no llama.cpp backend", "run the lab with the lever CLI, or set lab.inference.backend: engine");
        var gguf = Path.Combine(modelDirectory, $"model.{Options.Quantization}.gguf");
        var weights = Path.Combine(modelDirectory, "model.safetensors");
        if (!File.Exists(gguf) || (File.Exists(weights) && File.GetLastWriteTimeUtc(weights) > File.GetLastWriteTimeUtc(gguf)))
        {
            var temp = gguf + ".writing";
            _export(modelDirectory, temp, Options.Quantization);
            File.Move(temp, gguf, overwrite: true);
        }
        var provider = new ProviderOptions { Kind = LlamaCppKind, Model = gguf };
        return ProviderRegistry.Of("lab-inference", provider, _connection).Scorer("lab-inference");
    }
}
