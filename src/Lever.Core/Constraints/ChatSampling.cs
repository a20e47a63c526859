using System.Globalization;
using Microsoft.Extensions.AI;

namespace Lever.Core.Constraints;

/// <summary>
/// How a local backend samples for one chat request, read from Microsoft.Extensions.AI's <see cref="ChatOptions"/> the
/// same way by the TorchSharp engine and by llama.cpp: greedy unless a temperature is given, top-p 1 and top-k 0 (off),
/// the <c>repetition_penalty</c> additional property (1 = off), the caller's stop sequences, and
/// <see cref="ChatOptions.ResponseFormat"/> as the JSON automaton's format (null: free text).
/// </summary>
public sealed record ChatSampling
{
    /// <summary>Most tokens to generate (the request's max_tokens, else 512).</summary>
    public required int MaxTokens { get; init; }

    /// <summary>Softmax temperature; 0 = greedy.</summary>
    public required double Temperature { get; init; }

    /// <summary>Nucleus mass (1 = off).</summary>
    public required double TopP { get; init; }

    /// <summary>Sample among the k most likely tokens (0 = all).</summary>
    public required int TopK { get; init; }

    /// <summary>Seed of the sampler; null = a random one.</summary>
    public long? Seed { get; init; }

    /// <summary>CTRL-style penalty on tokens already seen (1 = off).</summary>
    public required double RepetitionPenalty { get; init; }

    /// <summary>The caller's stop sequences (the backend adds its template's own).</summary>
    public required IReadOnlyList<string> StopSequences { get; init; }

    /// <summary>Constrained decoding for <c>response_format</c>; null: free text.</summary>
    public JsonFormat? ResponseFormat { get; init; }

    /// <summary>The settings <paramref name="options"/> asks for (null: every default).</summary>
    public static ChatSampling From(ChatOptions? options) => new()
    {
        MaxTokens = options?.MaxOutputTokens ?? 512,
        Temperature = options?.Temperature ?? 0,
        TopP = options?.TopP ?? 1.0,
        TopK = options?.TopK ?? 0,
        Seed = options?.Seed,
        RepetitionPenalty = options?.AdditionalProperties?.TryGetValue("repetition_penalty", out var rp) == true ? Convert.ToDouble(rp, CultureInfo.InvariantCulture) : 1.0,
        StopSequences = [.. options?.StopSequences ?? []],
        ResponseFormat = options?.ResponseFormat is ChatResponseFormatJson json ? JsonFormat.For(json.Schema, json.SchemaName) : null,
    };
}
