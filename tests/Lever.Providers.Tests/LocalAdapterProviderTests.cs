using Lever.Core;
using Lever.Core.Config;
using Lever.Engine.Checkpoints;
using Lever.Engine.Generation;
using Lever.Providers;
using Lever.Training.Lora;
using Microsoft.Extensions.AI;
using static TorchSharp.torch;

namespace Lever.Providers.Tests;

/// <summary>A local provider with <c>adapter:</c> serves base + LoRA, merged at load.</summary>
public sealed class LocalAdapterProviderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lever-adapter-provider").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Provider_with_adapter_gives_the_logits_of_base_plus_adapter()
    {
        var modelDir = Path.Combine(_dir, "base");
        var adapterDir = Path.Combine(_dir, "adapter");
        ModelInitializer.Create("tiny", modelDir, seed: 3);

        using var wrapped = WithSavedAdapter(modelDir, adapterDir, seed: 11, scale: 0.05f);
        wrapped.eval();
        var ids = tensor(new long[] { 1, 5, 9, 42, 7, 300 }).unsqueeze(0);
        using var expected = wrapped.forward(ids).detach();

        var yaml = $"providers:\n  tuned:\n    kind: local\n    model: base\n    adapter: adapter\n  plain:\n    kind: local\n    model: base\n";
        var registry = ProviderRegistry.Load(LeverConfig.Parse("lever.yaml", yaml), new ProviderConnection { BaseDirectory = _dir, GetEnvironment = _ => null, Backends = Lever.Providers.Engine.EngineBackend.WithHttp });
        using var tuned = registry.Chat("tuned");
        using var plain = registry.Chat("plain");
        var tunedModel = tuned.GetService<LocalChatClient>()!.Generator.Model;
        var plainModel = plain.GetService<LocalChatClient>()!.Generator.Model;
        using var actual = tunedModel.forward(ids).detach();
        using var baseLogits = plainModel.forward(ids).detach();

        Assert.True((actual - expected).abs().max().item<float>() < 1e-4f, "merged adapter differs from base + adapter");
        Assert.True((baseLogits - expected).abs().max().item<float>() > 1e-3f, "the adapter should change the logits");
    }

    [Fact]
    public async Task A_recipe_with_adapter_evaluates_through_the_resolver_as_base_plus_adapter()
    {
        var modelDir = Path.Combine(_dir, "base");
        ModelInitializer.Create("tiny", modelDir, seed: 3);
        WithSavedAdapter(modelDir, Path.Combine(_dir, "adapter"), seed: 5, scale: 0.5f).Dispose();
        var yaml = "providers:\n  tuned:\n    kind: local\n    model: base\n    adapter: adapter\n  plain:\n    kind: local\n    model: base\n";
        var config = LeverConfig.Parse("lever.yaml", yaml);
        var registry = ProviderRegistry.Load(config, new ProviderConnection { BaseDirectory = _dir, GetEnvironment = _ => null, Backends = Lever.Providers.Engine.EngineBackend.WithHttp });
        string[] inputs = ["the quick brown fox", "hello world", "a b c d"];
        var greedy = new ChatOptions { Temperature = 0, MaxOutputTokens = 6 };
        async Task<string[]> Answers(IChatClient chat) =>
            await Task.WhenAll(inputs.Select(async i => (await chat.GetResponseAsync([new ChatMessage(ChatRole.User, i)], greedy)).Text));
        string[] tunedAnswers, plainAnswers;
        using (var tuned = registry.Chat("tuned")) tunedAnswers = await Answers(tuned);
        using (var plain = registry.Chat("plain")) plainAnswers = await Answers(plain);
        Assert.NotEqual(plainAnswers, tunedAnswers); // the adapter changes what the model says

        // The recipe names the plain provider and the adapter: the resolver loads base + adapter for it.
        var setPath = Path.Combine(_dir, "set.jsonl");
        File.WriteAllLines(setPath, inputs.Select((x, i) => System.Text.Json.JsonSerializer.Serialize(new { id = $"q{i}", input = x, expected = tunedAnswers[i] })));
        var recipe = new Lever.Evals.Recipes.Recipe { Name = "tuned-recipe", Provider = "plain", Adapter = "adapter", Generation = new() { Temperature = 0, MaxTokens = 6 } };
        var services = Lever.Evals.Composition.RecipeServicesFactory.Create(recipe, registry, new Lever.Evals.Composition.EvalsSettings());
        var runDir = Path.Combine(_dir, "run");
        var summary = await new Lever.Evals.Running.EvalRunner(recipe, services, new() { Diagnose = false }).RunAsync(Lever.Evals.Data.EvalSet.Load(setPath), runDir);
        Assert.Equal(3, summary.Completed);
        Assert.Equal(3, summary.Passed); // exactly the tuned provider's answers, item by item
    }

    [Fact]
    public void An_adapter_recipe_on_a_hosted_provider_is_a_user_error_that_says_what_to_do()
    {
        var registry = ProviderRegistry.Of("hosted", new ProviderOptions { BaseUrl = "http://127.0.0.1:9/v1", Model = "m" });
        var recipe = new Lever.Evals.Recipes.Recipe { Name = "r", Provider = "hosted", Adapter = "adapter" };
        var ex = Assert.Throws<LeverUserException>(() => Lever.Evals.Composition.RecipeServicesFactory.Create(recipe, registry, new Lever.Evals.Composition.EvalsSettings()));
        Assert.Contains("recipe 'r'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("kind: local", ex.Hint, StringComparison.Ordinal);
    }

    /// <summary>
    /// The base with a trained-looking adapter injected and saved as PEFT: B is zero after injection (no change), so it
    /// gets seeded non-zero values of size <paramref name="scale"/>. The caller owns the returned model.
    /// </summary>
    internal static Lever.Engine.Modules.LlamaForCausalLM WithSavedAdapter(string modelDir, string adapterDir, ulong seed, float scale)
    {
        var wrapped = HfCheckpoint.Load(modelDir);
        var options = new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0 };
        var layers = LoraInjector.Inject(wrapped, options);
        var generator = new Generator(seed);
        using (no_grad())
        {
            foreach (var layer in layers.Values)
                layer.B(LoraInjector.DefaultAdapter).weight!.copy_(randn(layer.B(LoraInjector.DefaultAdapter).weight!.shape, generator: generator) * scale);
        }
        PeftAdapter.Save(adapterDir, wrapped, options, modelDir);
        return wrapped;
    }

    [Fact]
    public void An_adapter_path_without_adapter_config_is_a_user_error_naming_the_provider()
    {
        ModelInitializer.Create("tiny", Path.Combine(_dir, "base"), seed: 3);
        Directory.CreateDirectory(Path.Combine(_dir, "empty"));
        var yaml = "providers:\n  tuned:\n    kind: local\n    model: base\n    adapter: empty\n";
        var registry = ProviderRegistry.Load(LeverConfig.Parse("lever.yaml", yaml), new ProviderConnection { BaseDirectory = _dir, GetEnvironment = _ => null, Backends = Lever.Providers.Engine.EngineBackend.WithHttp });
        var ex = Assert.Throws<LeverUserException>(() => registry.Chat("tuned"));
        Assert.Contains("provider 'tuned'", ex.Message);
        Assert.Contains("adapter_config.json", ex.Message);
    }
}
