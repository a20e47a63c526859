using System.Text;

namespace Lever.Core.Data;

/// <summary>
/// Streams an RFC 4180 CSV file (comma; tab for .tsv): a header row, then records; quoted fields may hold the
/// delimiter, doubled quotes and line breaks. A record with more or fewer fields than the header, or a quote left
/// open at the end of the file, is refused with the file and line it starts on. Call <see cref="Utf8Text.Require"/> first.
/// </summary>
public static class CsvReader
{
    /// <summary>Longest field read (16 Mi characters): an unclosed quote in a large file must not become one huge string.</summary>
    public const int MaxFieldChars = 16 << 20;

    /// <summary>Most fields in one record.</summary>
    public const int MaxFields = 100_000;

    /// <summary>The header's column names and the records after it (each with exactly as many fields).</summary>
    public static (IReadOnlyList<string> Header, IEnumerable<CsvRecord> Records) Read(string path)
    {
        var delimiter = path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',';
        var header = Records(path, delimiter).FirstOrDefault()
            ?? throw new LeverUserException($"{path}: empty CSV file", "the first row names the columns, e.g. text,label");
        return (header.Fields, Checked(path, delimiter, header.Fields.Count));
    }

    private static IEnumerable<CsvRecord> Checked(string path, char delimiter, int columns)
    {
        foreach (var record in Records(path, delimiter).Skip(1))
        {
            if (record.Fields.Count != columns)
                throw new LeverUserException($"{record.Where}: {record.Fields.Count} field(s), the header has {columns}",
                    "quote fields that hold a comma or a line break (\"a, b\"), and give every row one value per column");
            yield return record;
        }
    }

    private static IEnumerable<CsvRecord> Records(string path, char delimiter)
    {
        using var reader = new StreamReader(path, Utf8Text.Strict, detectEncodingFromByteOrderMarks: true);
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, start = 1;
        bool quoted = false, any = false, wasQuoted = false;
        while (true)
        {
            var c = reader.Read();
            if (c < 0) break;
            var ch = (char)c;
            if (field.Length >= MaxFieldChars)
                throw new LeverUserException($"{path}:{start}: a field longer than {MaxFieldChars:N0} characters", "check for a quote that is never closed; split very long texts");
            if (fields.Count >= MaxFields)
                throw new LeverUserException($"{path}:{start}: more than {MaxFields:N0} fields in one record", "check the delimiter (comma for .csv, tab for .tsv)");
            if (quoted)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else quoted = false;
                }
                else
                {
                    if (ch == '\n') line++;
                    field.Append(ch);
                }
                continue;
            }
            if (ch == '"' && field.Length == 0 && !wasQuoted)
            {
                quoted = wasQuoted = any = true;
                continue;
            }
            if (ch == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
                wasQuoted = false;
                any = true;
                continue;
            }
            if (ch is '\r' or '\n')
            {
                if (ch == '\r' && reader.Peek() == '\n') reader.Read();
                if (any || field.Length > 0)
                {
                    fields.Add(field.ToString());
                    yield return new CsvRecord(path, start, fields.ToArray());
                }
                fields.Clear();
                field.Clear();
                any = wasQuoted = false;
                line++;
                start = line;
                continue;
            }
            field.Append(ch);
            any = true;
        }
        if (quoted) throw new LeverUserException($"{path}:{start}: a quoted field is never closed", "close the quote, and double any quote inside a quoted field (\"\")");
        if (any || field.Length > 0)
        {
            fields.Add(field.ToString());
            yield return new CsvRecord(path, start, fields.ToArray());
        }
    }
}
