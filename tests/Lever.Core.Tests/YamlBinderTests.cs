using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Lever.Core;
using Lever.Core.Config;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Lever.Core.Tests;

public sealed class YamlBinderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lever-yaml").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public enum Mode
    {
        Plain,
        OnPrem,
    }

    public sealed class Sample
    {
        public string Name { get; set; } = "";
        public string? Note { get; set; } = "default note";
        public Mode Mode { get; set; }
        public bool Flag { get; set; }
        public int? Limit { get; set; }
        public long Big { get; set; }
        [Range(0, 1)]
        public double Ratio { get; set; } = 0.5;
        public float Scale { get; set; }
        public decimal Price { get; set; }
        public Inner Inner { get; set; } = new();
        public List<Item> Items { get; set; } = [];
        public IReadOnlyList<Mode> Modes { get; set; } = [];
        public string[] Tags { get; set; } = [];
        public Dictionary<string, Inner> Named { get; set; } = [];
        public Point? Origin { get; set; }
        [YamlName("traffic")]
        public Inner Load { get; set; } = new();
        public YamlNode? Extra { get; set; }
    }

    public sealed class Inner
    {
        public Deep Deep { get; set; } = new();
        [Range(1, int.MaxValue)]
        public int Count { get; set; } = 1;
    }

    public sealed class Deep
    {
        public int MaxTokens { get; set; } = 16;
        public double? LatencyP95Ms { get; set; }
    }

    public sealed record Item
    {
        public required string Id { get; init; }
        public double Weight { get; init; } = 1;
    }

    public sealed record Point(int X, int Y = 2);

    private string Write(string text)
    {
        var path = Path.Combine(_dir, "t.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    // Every bad input: the exact position and dotted path after the file name, and a fix in the hint.
    [Theory]
    [InlineData("inner:\n  deep:\n    max_tokns: 3\n", ":3:5: inner.deep.max_tokns: unknown field 'max_tokns' — did you mean max_tokens?")]
    [InlineData("named:\n  a:\n    deep: {max_tokens: 1, latncy_p95_ms: 2}\n", ":3:27: named.a.deep.latncy_p95_ms: unknown field 'latncy_p95_ms' — did you mean latency_p95_ms?")]
    [InlineData("nmae: x\n", ":1:1: unknown field 'nmae' — did you mean name?")]
    [InlineData("items:\n  - id: a\n    weight: 1\n  - id: b\n    weight: heavy\n", ":5:13: items[1].weight: expected a number, got 'heavy'")]
    [InlineData("items:\n  - [1, 2]\n", ":2:5: items[0]: expected a mapping of fields, got a list")]
    [InlineData("items:\n  - weight: 2\n", ":2:5: items[0].id: is required")]
    [InlineData("modes: [plain, cloudy]\n", ":1:16: modes[1]: expected one of plain | on_prem, got 'cloudy'")]
    [InlineData("mode: cloudy\n", ":1:7: mode: expected one of plain | on_prem, got 'cloudy'")]
    [InlineData("flag: maybe\n", ":1:7: flag: expected true or false, got 'maybe'")]
    [InlineData("limit: 2.5\n", ":1:8: limit: expected a whole number, got '2.5'")]
    [InlineData("limit: 99999999999\n", ":1:8: limit: 99999999999 is out of range (-2147483648 to 2147483647)")]
    [InlineData("ratio: 1.5\n", ":1:8: ratio: must be between 0 and 1, got 1.5")]
    [InlineData("inner: {count: 0}\n", ":1:16: inner.count: must be at least 1, got 0")]
    [InlineData("inner: 5\n", ":1:8: inner: expected a mapping of fields, got '5'")]
    [InlineData("name: [a, b]\n", ":1:7: name: expected a text value, got a list")]
    [InlineData("origin: {y: 3}\n", ":1:9: origin.x: is required")]
    [InlineData("- a\n- b\n", ":1:1: the top level must be a mapping of fields, got a list")]
    [InlineData("name: a\nmode: plain\nname: b\n", ":3:1: name: duplicate key 'name' (first at line 1)")]
    [InlineData("inner:\n  count: 1\n  count: 2\n", ":3:3: inner.count: duplicate key 'count' (first at line 2)")]
    [InlineData("name: [a, b\nmode: plain\n", ":1:7: invalid YAML: this '[' is never closed")]
    [InlineData("name: 'open\n", ":1:7: invalid YAML: While scanning a quoted scalar, found unexpected end of stream")]
    [InlineData("inner:\n  count: 1\n deep: {}\n", ":3:2: invalid YAML: While parsing a block mapping, did not find expected key")]
    [InlineData("name: *nowhere\n", ":1:7: invalid YAML: the alias *nowhere names no anchor")]
    [InlineData("name: a\n---\nname: b\n", ":2:1: invalid YAML: a second document starts here")]
    [InlineData("", ":1:1: the file is empty")]
    [InlineData("# only a comment\n", ":1:1: the file is empty")]
    public void Bad_input_names_file_line_column_and_dotted_path(string yaml, string expected)
    {
        var path = Write(yaml);
        var ex = Assert.Throws<LeverUserException>(() => LeverConfig.BindFile<Sample>(path));
        Assert.Equal(path + expected, ex.Message);
        Assert.False(string.IsNullOrWhiteSpace(ex.Hint));
    }

    [Fact]
    public void Unknown_field_hint_lists_what_the_mapping_takes()
    {
        var ex = Assert.Throws<LeverUserException>(() => YamlNode.Parse("t.yaml", "inner:\n  zzz: 1\n").Bind<Sample>());
        Assert.Equal("remove it or fix the spelling; 'inner' takes: deep, count", ex.Hint);
        var enumHint = Assert.Throws<LeverUserException>(() => YamlNode.Parse("t.yaml", "mode: x\n").Bind<Sample>()).Hint;
        Assert.Equal("use one of plain | on_prem", enumHint);
    }

    [Fact]
    public void A_field_noun_writes_the_advisor_form()
    {
        Assert.Equal("w.yaml:2:3: unknown field 'inner.cuont' — did you mean count?",
            Assert.Throws<LeverUserException>(() => YamlNode.Parse("w.yaml", "inner:\n  cuont: 1\n", "field").Bind<Sample>()).Message);
        Assert.Equal("w.yaml:1:8: field 'inner' must be a mapping of fields, got 'wide'",
            Assert.Throws<LeverUserException>(() => YamlNode.Parse("w.yaml", "inner: wide\n", "field").Bind<Sample>()).Message);
        Assert.Equal("p.yaml:1:7: policy field 'mode': expected one of plain | on_prem, got 'x'",
            Assert.Throws<LeverUserException>(() => YamlNode.Parse("p.yaml", "mode: x\n", "policy field").Bind<Sample>()).Message);
    }

    [Fact]
    public void Good_input_binds_every_kind_of_member()
    {
        var s = YamlNode.Parse("t.yaml", """
            name: demo
            note: null
            mode: On-Prem
            flag: true
            limit: 1_500
            big: 2e6
            ratio: 0.25
            scale: 0.5
            price: 1.25
            inner:
              deep: {max_tokens: 64, latency_p95_ms: 900}
              count: 3
            items:
              - id: a
              - {id: b, weight: 2.5}
            modes: plain
            tags: [x, y]
            named:
              one: {count: 2}
              two:
            origin: {x: 1}
            traffic: {count: 7}
            extra: {anything: [1, 2], goes: here}
            """).Bind<Sample>()!;
        Assert.Equal("demo", s.Name);
        Assert.Null(s.Note);
        Assert.Equal(Mode.OnPrem, s.Mode);
        Assert.True(s.Flag);
        Assert.Equal(1500, s.Limit);
        Assert.Equal(2_000_000, s.Big);
        Assert.Equal(0.25, s.Ratio);
        Assert.Equal(0.5f, s.Scale);
        Assert.Equal(1.25m, s.Price);
        Assert.Equal(64, s.Inner.Deep.MaxTokens);
        Assert.Equal(900, s.Inner.Deep.LatencyP95Ms);
        Assert.Equal([new Item { Id = "a" }, new Item { Id = "b", Weight = 2.5 }], s.Items);
        Assert.Equal([Mode.Plain], s.Modes);
        Assert.Equal(["x", "y"], s.Tags);
        Assert.Equal(2, s.Named["one"].Count);
        Assert.Equal(1, s.Named["two"].Count); // `two:` is an entry with every default
        Assert.Equal(new Point(1, 2), s.Origin);
        Assert.Equal(7, s.Load.Count);
        Assert.Equal(["anything", "goes"], s.Extra!.Keys);
        Assert.Equal("extra.anything[1]", s.Extra.Field("anything")!.Items[1].Path);
    }

    [Fact]
    public void An_empty_value_keeps_the_default_and_null_clears_a_nullable()
    {
        var s = YamlNode.Parse("t.yaml", "name:\ninner:\nratio: ~\nnote: \"null\"\n").Bind<Sample>()!;
        Assert.Equal("", s.Name);
        Assert.Equal(1, s.Inner.Count);
        Assert.Equal(0.5, s.Ratio);
        Assert.Equal("null", s.Note); // quoted, it is text
    }

    [Fact]
    public void Good_input_round_trips_through_a_yaml_writer()
    {
        var first = YamlNode.Parse("t.yaml", """
            name: demo
            mode: on_prem
            flag: true
            limit: 12
            ratio: 0.75
            inner: {deep: {max_tokens: 8, latency_p95_ms: 120.5}, count: 4}
            items: [{id: a, weight: 3}]
            modes: [plain, on_prem]
            tags: [t]
            named: {k: {count: 9}}
            origin: {x: 5, y: 6}
            """).Bind<Sample>()!;
        var writer = new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance)
            .WithAttributeOverride<Sample>(s => s.Load, new YamlMemberAttribute { Alias = "traffic" })
            .WithAttributeOverride<Sample>(s => s.Extra!, new YamlIgnoreAttribute())
            .Build();
        var text = writer.Serialize(first).Replace("mode: OnPrem", "mode: on_prem", StringComparison.Ordinal)
            .Replace("- OnPrem", "- on_prem", StringComparison.Ordinal).Replace("- Plain", "- plain", StringComparison.Ordinal);
        var second = YamlNode.Parse("written.yaml", text).Bind<Sample>()!;
        Assert.Equal(JsonSerializer.Serialize(first), JsonSerializer.Serialize(second));
    }

    [Fact]
    public void An_alias_binds_at_the_path_it_is_used_under()
    {
        var root = YamlNode.Parse("t.yaml", "named:\n  a: &base {count: 2, deep: {max_tokens: 5}}\n  b: *base\nname: &text x\nlimit: *text\n");
        Assert.Equal("named.b.deep.max_tokens", root.Field("named")!.Field("b")!.Field("deep")!.Field("max_tokens")!.Path);
        // The value is the anchor's (cited where it is written); the path is where it is used.
        var ex = Assert.Throws<LeverUserException>(() => root.Bind<Sample>());
        Assert.Equal("t.yaml:4:7: limit: expected a whole number, got 'x'", ex.Message);
        var named = YamlNode.Parse("t.yaml", "named:\n  a: &base {count: 2}\n  b: *base\n").Bind<Sample>()!.Named;
        Assert.Equal(2, named["b"].Count);
    }

    [Fact]
    public void Navigation_and_errors_after_binding_cite_the_nearest_written_field()
    {
        var root = YamlNode.Parse("lever.yaml", "lab:\n  llm:\n    vocab: 100\n");
        Assert.Equal(["lab"], root.Keys);
        Assert.True(root.Has("lab"));
        Assert.False(root.Has("workload"));
        Assert.Equal("lever.yaml:3:12: lab.llm.vocab: 100 is below 259", root.ErrorAt("lab.llm.vocab", "100 is below 259").Message);
        // Not written: cited at the deepest parent that is.
        Assert.Equal("lever.yaml:3:5: lab.llm.seq_len: 8 is below 32", root.ErrorAt("lab.llm.seq_len", "8 is below 32").Message);
        Assert.True(root.Field("lab")!.Field("llm")!.Field("vocab")!.TryBind<int>(out var vocab));
        Assert.Equal(100, vocab);
        Assert.False(root.Field("lab")!.TryBind<int>(out _));
    }

    [Fact]
    public void Top_level_sections_of_lever_yaml_bind_one_at_a_time()
    {
        var config = LeverConfig.Parse("lever.yaml", "other: {anything: 1}\nlab:\n  inner: {count: 2}\nempty:\n");
        Assert.Equal(["other", "lab", "empty"], config.Sections);
        Assert.True(config.Has("empty"));
        Assert.Null(config.SectionNode("empty"));
        Assert.Null(config.Section<Sample>("empty"));
        Assert.Equal(2, config.Section<Sample>("lab")!.Inner.Count);
        var ex = Assert.Throws<LeverUserException>(() => LeverConfig.Parse("lever.yaml", "- a\n"));
        Assert.StartsWith("lever.yaml:1:1: the top level must be a mapping of sections", ex.Message);
    }
}
