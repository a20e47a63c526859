using Lever.Engine.Modules;

namespace Lever.Engine.Tests;

/// <summary>Small configs that exercise every feature (GQA, bias, tying, rope scaling) in milliseconds.</summary>
internal static class TinyModels
{
    public static LlamaConfig Config(bool tied = false, bool qkvBias = false, int kvHeads = 2, RopeScaling? scaling = null) => new()
    {
        VocabSize = 96,
        HiddenSize = 32,
        IntermediateSize = 64,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = kvHeads,
        RmsNormEps = 1e-5,
        RopeTheta = 10000,
        RopeScaling = scaling,
        MaxPositionEmbeddings = 256,
        TieWordEmbeddings = tied,
        ModelType = qkvBias ? "qwen2" : "llama",   // Qwen2: q/k/v bias, none on o_proj
        BosTokenId = 1,
        EosTokenId = [2],
    };

    public static LlamaForCausalLM Create(LlamaConfig config, long seed = 7)
    {
        var model = new LlamaForCausalLM(config);
        model.InitializeWeights(seed);
        model.eval();
        return model;
    }

    /// <summary>Same shape and bit-identical values.</summary>
    public static bool Same(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();

    public static string TempDir(string name) => Directory.CreateTempSubdirectory($"lever-{name}-").FullName;
}
