using System.Text;
using Lever.Core;
using Lever.Core.Data;

namespace Lever.Core.Tests;

public sealed class JsonlReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lever-jsonl").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content, bool bom = false)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content, new UTF8Encoding(bom));
        return path;
    }

    [Fact]
    public void Reads_objects_with_bom_crlf_and_blank_lines_keeping_line_numbers()
    {
        var path = Write("a.jsonl", "{\"text\":\"one\"}\r\n\r\n{\"text\":\"two\"}\r\n", bom: true);
        var lines = JsonlReader.ReadLines(path).ToList();
        Assert.Equal([1, 3], lines.Select(l => l.LineNumber));
        Assert.All(lines, l => Assert.True(l.IsValid));
        Assert.Equal("two", lines[1].Value.GetProperty("text").GetString());
    }

    [Fact]
    public void Reports_every_bad_line_with_its_number_and_reason()
    {
        var path = Write("b.jsonl", "{\"a\":1}\n{broken\n[1,2]\n{\"a\":2}\n");
        var bad = JsonlReader.ReadLines(path).Where(l => !l.IsValid).ToList();
        Assert.Equal([2, 3], bad.Select(l => l.LineNumber));
        Assert.StartsWith("invalid JSON", bad[0].Error);
        Assert.Equal("expected a JSON object, found array", bad[1].Error);
    }

    [Fact]
    public void Strict_reading_throws_a_user_error_naming_file_and_line()
    {
        var path = Write("c.jsonl", "{\"a\":1}\n{\"a\":\n");
        var ex = Assert.Throws<LeverUserException>(() => JsonlReader.ReadObjects(path).ToList());
        Assert.Contains($"{path}:2:", ex.Message);
    }
}
