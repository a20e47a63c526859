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
        // InitializeWeights is seeded; the global generator is seeded too so nothing in construction can vary.
        TorchSharp.torch.random.manual_seed(seed);
        var model = new LlamaForCausalLM(Config(vocab));
        model.InitializeWeights(seed);
        return model;
    }
}
