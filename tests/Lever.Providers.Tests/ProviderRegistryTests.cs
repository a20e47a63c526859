using Lever.Core;
using Lever.Core.Config;
using Lever.Evals.Recipes;
using Lever.Evals.Composition;
using Lever.Providers;

namespace Lever.Providers.Tests;

public class ProviderRegistryTests
{
    private const string Yaml = """
        providers:
          hosted:
            kind: openai
            base_url: http://127.0.0.1:9/v1
            api_key_env: LEVER_TEST_HOSTED_KEY
            model: gpt-4o-mini
            prices:
              input_per_million: 0.15
              cached_input_per_million: 0.075
              output_per_million: 0.6
          nokey:
            base_url: http://127.0.0.1:9/v1
            model: llama
        evals:
          compute_price_per_hour: 1.5
          corpus_index: docs
        """;

    [Fact]
    public void Providers_and_prices_come_from_lever_yaml_and_keys_only_from_the_environment()
    {
        var config = LeverConfig.Parse("lever.yaml", Yaml);
        var registry = ProviderRegistry.Load(config, new ProviderConnection { GetEnvironment = _ => null });
        Assert.Equal(["hosted", "nokey"], registry.Names.Order());
        Assert.Equal(new Lever.Core.Prices.TokenPrices(0.15, 0.075, 0.6), registry.Prices("hosted"));

        var missing = Assert.Throws<LeverUserException>(() => registry.Chat("hosted"));
        Assert.Contains("environment variable LEVER_TEST_HOSTED_KEY is not set", missing.Message);
        Assert.Contains("export LEVER_TEST_HOSTED_KEY", missing.Hint);

        using var client = registry.Chat("nokey"); // a local server needs no key
        Assert.IsType<ResilientChatClient>(client);

        var unknown = Assert.Throws<LeverUserException>(() => registry.Get("nope"));
        Assert.Contains("known providers: hosted, nokey", unknown.Hint);
    }

    [Fact]
    public void Recipe_services_take_prices_judge_and_settings_from_the_workspace()
    {
        var config = LeverConfig.Parse("lever.yaml", Yaml);
        var registry = ProviderRegistry.Load(config, new ProviderConnection { GetEnvironment = n => n == "LEVER_TEST_HOSTED_KEY" ? "k" : null });
        var settings = RecipeServicesFactory.Settings(config);
        var recipe = new Recipe { Provider = "hosted", Scoring = new ScoringOptions { JudgeProvider = "nokey" } };
        var services = RecipeServicesFactory.Create(recipe, registry, settings);
        Assert.Equal(0.15, services.Prices.InputPerMillion);
        Assert.NotNull(services.Judge);
        Assert.Equal("docs", services.CorpusIndex);
        Assert.Equal(0, services.ComputePricePerHour); // compute time is charged only for local models
    }

    [Theory]
    // lever.yaml providers            env key  env base url               → implicit openai?  its base url
    [InlineData("",                     "sk-x",  null,                       true,  "https://api.openai.com/v1")]
    [InlineData("",                     "sk-x",  "http://127.0.0.1:9/v1",    true,  "http://127.0.0.1:9/v1")]
    [InlineData("",                     null,    "http://127.0.0.1:9/v1",    false, null)]
    [InlineData("  own:\n    base_url: http://127.0.0.1:7/v1\n    model: m\n", "sk-x", null, false, null)]          // a configured endpoint wins
    [InlineData("  own:\n    kind: local\n    model: m\n", "sk-x", null, true, "https://api.openai.com/v1")]           // a local model is no endpoint
    public void OpenAI_comes_from_OPENAI_API_KEY_only_when_lever_yaml_configures_no_endpoint(string providers, string? key, string? baseUrl, bool implicitOpenAi, string? expectedUrl)
    {
        var config = LeverConfig.Parse("lever.yaml", providers.Length == 0 ? "" : "providers:\n" + providers);
        var registry = ProviderRegistry.Load(config, new ProviderConnection { GetEnvironment = n => n switch { "OPENAI_API_KEY" => key, "OPENAI_BASE_URL" => baseUrl, _ => null } });
        Assert.Equal(implicitOpenAi, registry.IsImplicit("openai"));
        Assert.Equal(implicitOpenAi, registry.Contains("openai"));
        if (!implicitOpenAi) return;
        Assert.Equal(expectedUrl, registry.BaseUrl("openai"));
        Assert.Equal(ProviderRegistry.DefaultOpenAiModel, registry.Get("openai").Model);
        Assert.Equal("OPENAI_API_KEY", registry.Get("openai").ApiKeyEnv); // the key itself is never copied into the options
    }

    [Fact]
    public void One_chat_provider_is_chosen_by_name_by_being_the_only_one_or_from_OPENAI_API_KEY()
    {
        ProviderConnection Env(string? key) => new() { GetEnvironment = n => n == "OPENAI_API_KEY" ? key : null };
        var none = ProviderRegistry.Load(LeverConfig.Empty, Env(null));
        Assert.Null(none.ChooseChat(null, "ask.provider"));
        Assert.Equal("openai", ProviderRegistry.Load(LeverConfig.Empty, Env("sk-x")).ChooseChat(null, "ask.provider"));

        var one = ProviderRegistry.Load(LeverConfig.Parse("lever.yaml", "providers:\n  mine:\n    kind: local\n    model: m\n  emb:\n    embedding_model: e\n"), Env("sk-x"));
        Assert.Equal("mine", one.ChooseChat(null, "ask.provider")); // the configured chat model, not the environment's
        Assert.Equal("emb", one.ChooseChat(null, "lab.provider.name", p => p.Kind == "openai")); // the only endpoint
        Assert.False(one.Contains("openai")); // emb is an endpoint, so OPENAI_API_KEY adds nothing

        var two = ProviderRegistry.Load(LeverConfig.Parse("lever.yaml", "providers:\n  a:\n    model: x\n  b:\n    model: y\n"), Env(null));
        Assert.Equal("b", two.ChooseChat("b", "ask.provider"));
        var ambiguous = Assert.Throws<LeverUserException>(() => two.ChooseChat(null, "ask.provider"));
        Assert.Contains("lever.yaml: ask.provider: 2 chat providers are configured (a, b)", ambiguous.Message, StringComparison.Ordinal);
        Assert.Contains("ask.provider: a", ambiguous.Hint, StringComparison.Ordinal);
        Assert.Throws<LeverUserException>(() => two.ChooseChat("c", "ask.provider"));
    }

    [Fact]
    public void A_backend_that_answers_with_labels_is_never_chosen_as_the_chat_model()
    {
        var yaml = "providers:\n  baseline:\n    kind: labels\n    model: train.jsonl\n  writer:\n    base_url: http://127.0.0.1:9/v1\n    model: m\n";
        var registry = ProviderRegistry.Load(LeverConfig.Parse("lever.yaml", yaml),
            new ProviderConnection { GetEnvironment = _ => null, Backends = ProviderBackends.Http.With(new LabelsOnly()) });
        Assert.Equal("writer", registry.ChooseChat(null, "ask.provider")); // not "2 chat providers": the classifier writes no text
        Assert.Equal("baseline", registry.ChooseChat("baseline", "ask.provider")); // named explicitly, it is the user's choice
        Assert.True(registry.IsLocal("baseline"));
    }

    private sealed class LabelsOnly : IProviderBackend
    {
        public string Kind => "labels";

        public bool IsLocal => true;

        public bool GeneratesText => false;

        public Microsoft.Extensions.AI.IChatClient CreateChatClient(ProviderEntry entry) => throw new NotSupportedException();

        public Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>> CreateEmbeddingGenerator(ProviderEntry entry) => throw new NotSupportedException();

        public IContinuationScorer? CreateScorer(ProviderEntry entry) => null;
    }

    [Fact]
    public void A_kind_without_a_registered_backend_is_a_user_error_naming_the_kinds_served()
    {
        var registry = ProviderRegistry.Of("m", new ProviderOptions { Kind = "local", Model = "dir" });
        var ex = Assert.Throws<LeverUserException>(() => registry.Chat("m"));
        Assert.Contains("kind 'local' is not supported", ex.Message, StringComparison.Ordinal);
        Assert.Contains("kind: openai", ex.Hint, StringComparison.Ordinal);
        Assert.True(registry.IsLocal("m")); // still priced as local compute, not tokens
        var withEngine = ProviderRegistry.Of("m", new ProviderOptions { Kind = "local", Model = "dir" }, new ProviderConnection { Backends = Lever.Providers.Engine.EngineBackend.WithHttp });
        Assert.Contains("not a model folder", Assert.Throws<LeverUserException>(() => withEngine.Chat("m")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_base_url_is_named_with_its_provider()
    {
        var ex = Assert.Throws<LeverUserException>(() => ProviderRegistry.Of("x", new ProviderOptions { BaseUrl = "localhost:8080", Model = "m" }).Chat("x"));
        Assert.Contains("provider 'x': base_url 'localhost:8080' is not an http(s) URL", ex.Message);
    }

    [Fact]
    public void A_workspace_without_indexes_has_no_retriever()
    {
        var dir = Directory.CreateTempSubdirectory("lever-hosting-").FullName;
        try
        {
            Assert.Null(RetrieverSources.Open(Workspace.Open(dir), LeverConfig.Empty, ProviderRegistry.Load(LeverConfig.Empty)));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
