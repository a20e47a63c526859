using System.Text.Json;
using Lever.Core;
using Lever.Core.Data;
using Lever.Providers.Classical.Internal;
using Microsoft.Extensions.AI;

namespace Lever.Providers.Classical;

/// <summary>
/// <c>kind: classical</c>: a provider whose "model" is a labelled training JSONL (<c>model:</c> in the provider entry or
/// in a recipe; one object per line with a string <c>input</c> and a string <c>expected</c> label, as in an eval set). It
/// fits <see cref="LogisticRegressionClassifier"/> on that file when first asked and answers every chat request with
/// the label of the last user message — so <c>lever eval</c> measures a classical baseline with any label recipe.
/// </summary>
public sealed class ClassicalBackend : IProviderBackend
{
    /// <summary>The kind this backend serves.</summary>
    public const string KindName = "classical";

    /// <inheritdoc />
    public string Kind => KindName;

    /// <inheritdoc />
    public bool IsLocal => true;

    /// <inheritdoc />
    public bool GeneratesText => false; // it answers with a label: never the chat model of ask or the QA lab

    /// <inheritdoc />
    public IChatClient CreateChatClient(ProviderEntry entry)
    {
        var path = entry.ResolvePath(entry.Model);
        var rows = Read(path, entry.Name);
        var classes = LogisticRegressionClassifier.ClassesOf(rows.Select(r => r.Label).ToList(), $"provider '{entry.Name}' (kind classical): {path}",
            "give the training file at least two labels in its expected field");
        return new ClassifierChatClient(LogisticRegressionClassifier.Train(rows, classes), $"logreg:{Path.GetFileName(path)}");
    }

    /// <inheritdoc />
    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ProviderEntry entry) =>
        throw new LeverUserException($"provider '{entry.Name}': a classical classifier serves no embeddings",
            $"remove embedding_model from providers.{entry.Name}, or use few_shot.similarity: lexical");

    /// <inheritdoc />
    public IContinuationScorer? CreateScorer(ProviderEntry entry) => null;

    private static List<(string Text, string Label)> Read(string path, string provider)
    {
        var rows = new List<(string, string)>();
        foreach (var line in JsonlReader.ReadObjects(path))
        {
            rows.Add((Field(line, "input", provider), Field(line, "expected", provider)));
        }
        if (rows.Count == 0) throw new LeverUserException($"{path}: the training file of provider '{provider}' is empty", "add one {\"input\": text, \"expected\": label} object per line");
        return rows;
    }

    private static string Field(JsonlLine line, string name, string provider) =>
        line.Value.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
            : throw new LeverUserException($"{line.Where}: field '{name}': expected a string (training data of provider '{provider}', kind classical)",
                "give each line a string input (the text) and a string expected (its label)");
}
