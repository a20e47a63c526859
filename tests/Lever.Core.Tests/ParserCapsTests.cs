using System.Text;
using Lever.Core;
using Lever.Core.Config;
using Lever.Core.Data;

namespace Lever.Core.Tests;

/// <summary>The caps of docs/RELIABILITY.md: inputs past them are a user error naming file and line, not unbounded memory or a stack overflow.</summary>
public sealed class ParserCapsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lever-caps").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_jsonl_line_past_the_cap_is_refused_with_its_line_and_lines_below_it_read()
    {
        var path = Path.Combine(_dir, "a.jsonl");
        File.WriteAllText(path, "{\"text\":\"ok\"}\r\n{\"text\":\"" + new string('a', JsonlReader.MaxLineChars) + "\"}\n");
        using var lines = JsonlReader.ReadLines(path).GetEnumerator();
        Assert.True(lines.MoveNext());
        Assert.Equal("ok", lines.Current.Value.GetProperty("text").GetString());
        var ex = Assert.Throws<LeverUserException>(() => lines.MoveNext());
        Assert.StartsWith($"{path}:2: line longer than", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Line_ends_are_read_as_before_lf_crlf_cr_and_a_last_line_without_one()
    {
        var path = Path.Combine(_dir, "b.jsonl");
        File.WriteAllText(path, "{\"n\":1}\n{\"n\":2}\r\n{\"n\":3}\r{\"n\":4}");
        Assert.Equal([1, 2, 3, 4], JsonlReader.ReadObjects(path).Select(l => l.Value.GetProperty("n").GetInt32()));
    }

    [Fact]
    public void A_csv_quote_never_closed_in_a_large_file_is_refused_at_the_field_cap()
    {
        var path = Path.Combine(_dir, "c.csv");
        File.WriteAllText(path, "text,label\n\"" + new string('x', CsvReader.MaxFieldChars + 10) + "\n");
        var (_, records) = CsvReader.Read(path);
        var ex = Assert.Throws<LeverUserException>(() => records.ToList());
        Assert.StartsWith($"{path}:2: a field longer than", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_aliases_that_expand_exponentially_are_refused()
    {
        var yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 10; i++) yaml.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]\n");
        var ex = Assert.Throws<LeverUserException>(() => LeverConfig.Parse("lever.yaml", yaml.ToString()));
        Assert.Contains("expands to more than", ex.Message, StringComparison.Ordinal);
        // A few aliases stay fine.
        Assert.True(LeverConfig.Parse("lever.yaml", "base: &b {k: 1}\nother: *b\n").Has("other"));
    }

    [Fact]
    public void Yaml_nested_past_the_depth_cap_is_refused_before_the_stack_runs_out()
    {
        var deep = "a: " + new string('[', 100_000) + new string(']', 100_000) + "\n";
        var ex = Assert.Throws<LeverUserException>(() => LeverConfig.Parse("lever.yaml", deep));
        Assert.Contains("nest more than 64 deep", ex.Message, StringComparison.Ordinal);
    }
}
