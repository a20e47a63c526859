using Lever.Core.Config;
using Lever.Engine.Checkpoints;
using Lever.Providers.LlamaCpp;
using Lever.Training.Lora;
using Microsoft.Extensions.AI;
using static TorchSharp.torch;

namespace Lever.Providers.Tests.LlamaCpp;

/// <summary>
/// GGUF LoRA adapters applied per request by llama.cpp on one loaded base: an adapter built in the test, exported with
/// <see cref="GgufAdapterExporter"/>, answers greedily exactly as the engine with the same adapter merged, and the base
/// between adapter requests still answers as the base.
/// </summary>
public sealed class LlamaCppAdapterTests(TinyGgufFixture tiny) : IClassFixture<TinyGgufFixture>
{
    private static readonly string[] Prompts = ["The quick brown fox", "In 2024 the team trained 3 models"];
    private static readonly ChatOptions Greedy = new() { Temperature = 0, MaxOutputTokens = 12 };

    [Fact]
    public async Task An_adapter_picked_per_request_answers_as_the_engine_with_it_merged_and_the_base_stays_the_base()
    {
        var adapterDir = Path.Combine(tiny.Directory, "adapter");
        SaveAdapter(tiny.ModelDirectory, adapterDir, seed: 5, scale: 0.3f);
        var adapterGguf = Path.Combine(tiny.Directory, "adapter.gguf");
        GgufAdapterExporter.Export(adapterDir, tiny.ModelDirectory, adapterGguf);

        var yaml = $"providers:\n  merged:\n    kind: local\n    model: {tiny.ModelDirectory}\n    adapter: {adapterDir}\n";
        var registry = ProviderRegistry.Load(LeverConfig.Parse("lever.yaml", yaml), new ProviderConnection { BaseDirectory = tiny.Directory, GetEnvironment = _ => null, Backends = Lever.Providers.Engine.EngineBackend.WithHttp });
        string[] expected;
        using (var merged = registry.Chat("merged")) expected = await Answers(merged);

        using var llamaBase = new LlamaCppChatClient(LlamaCppModel.Load(tiny.GgufPath), ownsModel: true);
        var adapters = LlamaCppAdapters.For(llamaBase)!;
        var tuned = adapters.Load("tuned", adapterGguf);
        Assert.Null(LlamaCppAdapters.For(tuned));   // an adapter client is not a base for more adapters
        var baseFirst = await Answers(llamaBase);
        var ours = await Answers(tuned);
        var baseAgain = await Answers(llamaBase);

        Assert.Equal(expected, ours);                // llama.cpp's unmerged adapter = the engine's merged one, greedy, as text
        Assert.NotEqual(baseFirst, ours);            // and the adapter changes what the model says
        Assert.Equal(baseFirst, baseAgain);          // the adapter is cleared for a base request (KV cache emptied on the switch)
        var response = await tuned.GetResponseAsync([new ChatMessage(ChatRole.User, Prompts[0])], Greedy);
        Assert.Equal("tuned", response.ModelId);
        Assert.Equal(0, response.Usage!.CachedInputTokenCount ?? 0);   // right after a base request: nothing of the cache reused

        adapters.Unload(tuned);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => tuned.GetResponseAsync([new ChatMessage(ChatRole.User, "x")], Greedy));
        Assert.Equal(baseFirst, await Answers(llamaBase));
    }

    [Fact]
    public void A_folder_or_a_model_file_is_not_taken_as_a_GGUF_adapter()
    {
        using var llamaBase = new LlamaCppChatClient(LlamaCppModel.Load(tiny.GgufPath), ownsModel: true);
        var adapters = LlamaCppAdapters.For(llamaBase)!;
        var folder = Assert.Throws<Core.LeverUserException>(() => adapters.Load("a", tiny.ModelDirectory));
        Assert.Contains("lever adapter export-gguf", folder.Hint, StringComparison.Ordinal);
        var model = Assert.Throws<Core.LeverUserException>(() => adapters.Load("b", tiny.GgufPath));
        Assert.Contains("not a GGUF LoRA adapter", model.Message, StringComparison.Ordinal);
    }

    private static async Task<string[]> Answers(IChatClient chat)
    {
        var answers = new List<string>();
        foreach (var p in Prompts) answers.Add((await chat.GetResponseAsync([new ChatMessage(ChatRole.User, p)], Greedy)).Text);
        return [.. answers];
    }

    // A PEFT adapter on every projection with B drawn at random (B = 0 would change nothing), saved as lever train writes it.
    private static void SaveAdapter(string modelDir, string adapterDir, ulong seed, float scale) =>
        LocalAdapterProviderTests.WithSavedAdapter(modelDir, adapterDir, seed, scale).Dispose();
}
