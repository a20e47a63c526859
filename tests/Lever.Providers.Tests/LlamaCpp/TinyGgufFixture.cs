using Lever.Engine.Checkpoints;
using Lever.Engine.Gguf;
using Lever.Providers.LlamaCpp;

namespace Lever.Providers.Tests.LlamaCpp;

/// <summary>
/// One tiny Lever checkpoint (the tiny preset's shapes, a 512-token byte-level vocabulary, weights drawn wide enough
/// that greedy decoding has clear winners), its F32 GGUF export, and that file loaded once into llama.cpp.
/// </summary>
public sealed class TinyGgufFixture : IDisposable
{
    public TinyGgufFixture()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("lever-llamacpp-").FullName;
        ModelDirectory = Path.Combine(Directory, "tiny");
        var config = Path.Combine(Directory, "config.json");
        File.WriteAllText(config, """
            { "vocab_size": 512, "hidden_size": 128, "intermediate_size": 344, "num_hidden_layers": 3, "num_attention_heads": 4,
              "num_key_value_heads": 2, "max_position_embeddings": 512, "rms_norm_eps": 1e-5, "rope_theta": 10000,
              "tie_word_embeddings": true, "initializer_range": 0.15 }
            """);
        ModelInitializer.Create(config, ModelDirectory, seed: 18);
        GgufPath = Path.Combine(Directory, "tiny-f32.gguf");
        GgufExporter.Export(ModelDirectory, GgufPath);
        Model = LlamaCppModel.Load(GgufPath);
    }

    public string Directory { get; }

    public string ModelDirectory { get; }

    public string GgufPath { get; }

    public LlamaCppModel Model { get; }

    public void Dispose()
    {
        Model.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
