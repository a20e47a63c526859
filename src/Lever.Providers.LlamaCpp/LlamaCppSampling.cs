namespace Lever.Providers.LlamaCpp;

/// <summary>How <see cref="LlamaCppModel.Generate"/> picks tokens; temperature 0 is greedy (argmax, ties to the lower id).</summary>
public sealed record LlamaCppSampling
{
    /// <summary>Most tokens to generate.</summary>
    public int MaxTokens { get; init; } = 128;

    /// <summary>Softmax temperature; 0 = greedy.</summary>
    public double Temperature { get; init; }

    /// <summary>Sample among the k most likely tokens (0 = all).</summary>
    public int TopK { get; init; }

    /// <summary>Nucleus mass (1 = off).</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>CTRL-style penalty on tokens already in prompt or output (1 = off).</summary>
    public double RepetitionPenalty { get; init; } = 1.0;

    /// <summary>Seed of the sampler; null = a random one.</summary>
    public long? Seed { get; init; }

    /// <summary>Texts that end generation (not included in the output).</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>
    /// Constrained decoding (OpenAI's <c>response_format</c>): the managed JSON automaton masks the logits (the same one
    /// the TorchSharp engine uses), and generation stops when the document is complete. Null: free text.
    /// </summary>
    public Lever.Core.Constraints.JsonFormat? ResponseFormat { get; init; }

    /// <summary>Stop at the model's end-of-generation tokens (EOS, EOT; llama.cpp's llama_vocab_is_eog).</summary>
    public bool StopAtEndOfGeneration { get; init; } = true;
}
