using Lever.Evals.Internal;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Tests.TestModels;

/// <summary>A deterministic embedder: normalized words hashed (FNV-1a) into 64 counts; usage = words embedded.</summary>
internal sealed class BagOfWordsEmbedder : WordHashEmbedder
{
    public BagOfWordsEmbedder()
        : base(64, TextNormalizer.Tokens) =>
        Usage = texts => new UsageDetails { InputTokenCount = texts.Sum(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length) };
}
