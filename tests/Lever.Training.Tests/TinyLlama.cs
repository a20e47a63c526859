using Lever.Engine.Modules;

namespace Lever.Training.Tests;

/// <summary>The engine's real Llama model at a size that trains in seconds on a CPU.</summary>
internal static class TinyLlama
{
    public static LlamaConfig Config(int vocab = 258) => new()
    {
        VocabSize = vocab,
        HiddenSize = 32,
        IntermediateSize = 64,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        MaxPositionEmbeddings = 128,
        RmsNormEps = 1e-5,
        EosTokenId = [256],
        BosTokenId = 257,
    };

    public static LlamaForCausalLM Create(long seed = 1, int vocab = 258)
    {
        // The engine's InitializeWeights goes through nn.init.normal_, which ignores its generator argument in
        // TorchSharp 0.107 and draws from the global one; seeding that makes the model reproducible all the same.
        TorchSharp.torch.random.manual_seed(seed);
        var model = new LlamaForCausalLM(Config(vocab));
        model.InitializeWeights(seed);
        return model;
    }
}
