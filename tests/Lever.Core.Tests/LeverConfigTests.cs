using Lever.Core;
using Lever.Core.Config;

namespace Lever.Core.Tests;

public sealed class LeverConfigTests
{
    private const string Yaml = """
        providers:
          openai:
            base_url: https://api.openai.com/v1
            api_key_env: OPENAI_API_KEY
            model: gpt-4o-mini
        other:
          anything: [1, 2]
        """;

    [Fact]
    public void Binds_a_section_with_snake_case_fields()
    {
        var config = LeverConfig.Parse("lever.yaml", Yaml);
        Assert.Equal(["providers", "other"], config.Sections);
        var providers = config.Section<Dictionary<string, ProviderOptions>>("providers")!;
        Assert.Equal("OPENAI_API_KEY", providers["openai"].ApiKeyEnv);
        Assert.Equal("gpt-4o-mini", providers["openai"].Model);
        Assert.Null(config.Section<Dictionary<string, ProviderOptions>>("missing"));
    }

    [Fact]
    public void Unknown_field_is_refused_with_line_and_field_name()
    {
        var config = LeverConfig.Parse("lever.yaml", "providers:\n  x:\n    base_url: http://h\n    api_key: sk-123\n");
        var ex = Assert.Throws<LeverUserException>(() => config.Section<Dictionary<string, ProviderOptions>>("providers"));
        Assert.StartsWith("lever.yaml:4:", ex.Message);
        Assert.Contains("unknown field 'api_key'", ex.Message);
    }

    [Fact]
    public void Wrong_type_is_refused_with_its_line()
    {
        var config = LeverConfig.Parse("lever.yaml", "providers:\n  x:\n    max_concurrency: lots\n");
        var ex = Assert.Throws<LeverUserException>(() => config.Section<Dictionary<string, ProviderOptions>>("providers"));
        Assert.StartsWith("lever.yaml:3:", ex.Message);
    }

    [Fact]
    public void Invalid_yaml_names_the_position()
    {
        var ex = Assert.Throws<LeverUserException>(() => LeverConfig.Parse("w.yaml", "a: [1, 2\nb: 3\n"));
        Assert.StartsWith("w.yaml:", ex.Message);
        Assert.Contains("invalid YAML", ex.Message);
    }
}
