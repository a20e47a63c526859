using Lever.Core.Data;

namespace Lever.Core.Tests;

public sealed class CsvAndUtf8Tests : IDisposable
{
    private readonly Temp _ws = new();

    public void Dispose() => _ws.Dispose();

    private sealed class Temp : IDisposable
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("lever-csv-").FullName;

        public string Combine(string name) => Path.Combine(Root, name);

        public string Write(string name, string text)
        {
            File.WriteAllText(Combine(name), text);
            return Combine(name);
        }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    [Fact]
    public void Quoted_fields_hold_commas_doubled_quotes_and_line_breaks_and_records_keep_their_first_line()
    {
        var path = _ws.Write("t.csv", "text,label\r\n\"a, b\",x\n\"say \"\"hi\"\"\",y\n\"two\nlines\",z\nplain,w\n");
        var (header, records) = CsvReader.Read(path);
        var rows = records.ToList();
        Assert.Equal(["text", "label"], header);
        Assert.Equal(["a, b", "say \"hi\"", "two\nlines", "plain"], rows.Select(r => r.Fields[0]));
        Assert.Equal([2, 3, 4, 6], rows.Select(r => r.Line));
    }

    [Fact]
    public void A_ragged_row_names_its_line_and_the_column_counts()
    {
        var path = _ws.Write("t.csv", "text,label\nok,x\nnot, ok,y\n");
        var ex = Assert.Throws<LeverUserException>(() => CsvReader.Read(path).Records.ToList());
        Assert.Equal($"{path}:3: 3 field(s), the header has 2", ex.Message);
    }

    [Fact]
    public void An_unclosed_quote_names_the_line_its_record_starts_on()
    {
        var path = _ws.Write("t.csv", "text,label\nok,x\n\"never closed,y\nmore\n");
        var ex = Assert.Throws<LeverUserException>(() => CsvReader.Read(path).Records.ToList());
        Assert.StartsWith($"{path}:3: a quoted field is never closed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_refused_with_their_line_and_offset()
    {
        var path = _ws.Combine("latin1.csv");
        // "text,label\nok,x\ncaf\xe9,y\n": é in Latin-1 is one byte, 0xE9, which starts a 3-byte UTF-8 sequence that never comes.
        File.WriteAllBytes(path, [.. "text,label\nok,x\ncaf"u8, 0xE9, .. ",y\n"u8]);
        var ex = Assert.Throws<LeverUserException>(() => Utf8Text.Require(path));
        Assert.Equal($"{path}:3: bytes that are not UTF-8 (byte 19 of the file)", ex.Message);
        Assert.Contains("iconv", ex.Hint, StringComparison.Ordinal);
        File.WriteAllText(path, "text,label\ncafé,y\n");
        Utf8Text.Require(path); // the same text in UTF-8 passes
    }

    [Fact]
    public void A_sequence_split_across_the_read_buffer_is_still_valid()
    {
        // 65,535 ASCII bytes put the first byte of "é" (2 bytes) last in the first 64 KiB block.
        var path = _ws.Combine("big.txt");
        File.WriteAllBytes(path, [.. Enumerable.Repeat((byte)'a', 65_535), .. "é\n"u8]);
        Utf8Text.Require(path);
    }

    [Fact]
    public void A_missing_file_is_a_user_error()
    {
        var ex = Assert.Throws<LeverUserException>(() => Utf8Text.Require(_ws.Combine("nope.jsonl")));
        Assert.EndsWith("nope.jsonl: file not found", ex.Message, StringComparison.Ordinal);
    }
}
