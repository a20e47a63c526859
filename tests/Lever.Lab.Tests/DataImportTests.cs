using System.Text.Json;
using Lever.Core;
using Lever.Lab.Import;

namespace Lever.Lab.Tests;

/// <summary>Reading a team's own data (<c>lever lab init</c>): formats, fields, task inference, the profile, and every bad input's one line.</summary>
public sealed class DataImportTests : IDisposable
{
    private readonly TempWorkspace _ws = new("lever-import-");

    public void Dispose() => _ws.Dispose();

    private static string Jsonl(params object[] rows) => string.Concat(rows.Select(r => JsonSerializer.Serialize(r) + "\n"));

    [Fact]
    public void Text_label_rows_input_output_pairs_chat_messages_and_named_fields_are_read_alike()
    {
        var a = DatasetImporter.Read(_ws.Write("a.jsonl", Jsonl(new { id = "t1", text = "refund please", label = "billing" }, new { text = "app crashed", label = "tech" })));
        Assert.Equal(("text", "label", false), (a.Fields.Input, a.Fields.Output, a.Fields.Chat));
        Assert.Equal(["t1", "line-2"], a.Rows.Select(r => r.Id));
        Assert.Equal(("app crashed", "tech", 2), (a.Rows[1].Input, a.Rows[1].Output, a.Rows[1].Line));

        var b = DatasetImporter.Read(_ws.Write("b.jsonl", Jsonl(new { input = "Acme, 12 EUR", output = new { name = "Acme", amount = 12 } })));
        Assert.Equal("{\"name\":\"Acme\",\"amount\":12}", b.Rows[0].Output);

        var chat = DatasetImporter.Read(_ws.Write("c.jsonl", Jsonl(new
        {
            messages = new object[]
            {
                new { role = "system", content = "Be brief." }, new { role = "user", content = "Hi" },
                new { role = "assistant", content = "Hello" }, new { role = "user", content = "Bye?" }, new { role = "assistant", content = " Bye " },
            },
        })));
        Assert.True(chat.Fields.Chat);
        Assert.Equal(("system: Be brief.\nHi\nassistant: Hello\nBye?", "Bye"), (chat.Rows[0].Input, chat.Rows[0].Output));

        var named = DatasetImporter.Read(_ws.Write("d.jsonl", Jsonl(new { body = "x y", topic = "z" })), new FieldChoice(Text: "body", Label: "topic"));
        Assert.Equal(("x y", "z"), (named.Rows[0].Input, named.Rows[0].Output));

        var csv = DatasetImporter.Read(_ws.Write("e.csv", "id,text,label,created_at\nr1,\"a, b\",x,2026-01-02\nr2,c,y,2026-01-01\n"));
        Assert.Equal(("csv", "created_at"), (csv.Format, csv.Fields.Order));
        Assert.Equal(("a, b", "x", "2026-01-02"), (csv.Rows[0].Input, csv.Rows[0].Output, csv.Rows[0].Order));
    }

    [Fact]
    public void The_task_is_inferred_from_the_fields_and_the_outputs_and_the_reason_says_why()
    {
        ImportedDataset Pairs(string name, IEnumerable<(string In, string Out)> rows) =>
            DatasetImporter.Read(_ws.Write(name, string.Concat(rows.Select(r => JsonSerializer.Serialize(new { input = r.In, output = r.Out }) + "\n"))));

        var labels = Pairs("l.jsonl", Enumerable.Range(0, 30).Select(i => ($"ticket {i}", i % 3 == 0 ? "billing" : "tech support")));
        Assert.Equal(("classification", "2 distinct outputs of at most 2 word(s) over 30 rows: they are labels"), LabTasks.Infer(labels));
        var json = Pairs("j.jsonl", [("Acme 12", "{\"name\":\"Acme\"}"), ("Beta 3", "{\"name\":\"Beta\"}")]);
        Assert.Equal(LabTasks.Extraction, LabTasks.Infer(json).Task);
        Assert.StartsWith("every output is a JSON object", LabTasks.Infer(json).Reason, StringComparison.Ordinal);
        // Few rows per distinct output (2 outputs, 6 rows: under 5 each) is not a label set: a transformation.
        var prose = Pairs("p.jsonl", Enumerable.Range(0, 6).Select(i => ($"in {i}", i % 2 == 0 ? "short" : "long")));
        Assert.Equal(LabTasks.Extraction, LabTasks.Infer(prose).Task);
    }

    [Fact]
    public void The_profile_counts_classes_duplicates_conflicts_and_near_duplicates_and_places_the_size_in_the_seeds_band()
    {
        var data = DatasetImporter.Read(_ws.Write("p.jsonl", Jsonl(
            new { text = "the invoice was charged twice this month", label = "billing" },      // line 1
            new { text = "The invoice  was charged twice this month", label = "billing" },     // 2: exact (case, spaces)
            new { text = "the invoice was charged twice this month", label = "tech" },         // 3: exact, other label: a conflict
            new { text = "the invoice was charged twice this month again", label = "billing" }, // 4: near (5 of 6 3-grams)
            new { text = "my app crashes when I open settings", label = "tech" },              // 5
            new { text = "a refund for the double charge", label = "billing" })));             // 6
        var p = DataProfile.Of(data, LabTasks.Classification);
        Assert.Equal(6, p.Rows);
        Assert.Equal([("billing", 4), ("tech", 2)], p.Classes);
        Assert.Equal(2.0, p.Imbalance);
        Assert.Equal(2, p.ExactDuplicates);
        Assert.Equal(1, p.ConflictCount);
        Assert.Equal((1, 3, "billing", "tech"), p.Conflicts.Single());
        // Line 4 vs line 1: 3-grams {the invoice was, invoice was charged, was charged twice, charged twice this, twice this month}
        // are all in line 4's 6 (… this month again): Jaccard 5/6 ≈ 0.83 ≥ 0.8. Lines 2 and 3 are exact, so not near.
        Assert.Equal([(1, 4)], p.NearDuplicatePairs);
        // Characters/4 rounded up: 40, 41, 40, 46, 35, 30 characters → 10, 11, 10, 12, 9, 8; p50 of the sorted 8 9 10 10 11 12 is 10.
        Assert.Equal(10, p.InputTokens.P50);
        Assert.Equal(12, p.InputTokens.Max);
        Assert.True(p.Sufficiency.Below);
        Assert.Equal((500, 2000), (p.Sufficiency.Low, p.Sufficiency.High!.Value));
        Assert.EndsWith("the band is stated for 5–10 classes, this data has 2", p.Sufficiency.Note, StringComparison.Ordinal);
        Assert.Equal((1000, 10000), (Sufficiency.For(LabTasks.Extraction, 3000, 0).Low, Sufficiency.For(LabTasks.Extraction, 3000, 0).High!.Value));
    }

    [Fact]
    public void Test_rows_that_repeat_training_inputs_are_counted_as_overlap()
    {
        var train = DatasetImporter.Read(_ws.Write("tr.jsonl", Jsonl(new { text = "alpha beta gamma delta epsilon zeta", label = "a" }, new { text = "one two three", label = "b" })));
        var test = DatasetImporter.Read(_ws.Write("te.jsonl", Jsonl(new { text = "One two  three", label = "b" }, new { text = "alpha beta gamma delta epsilon zeta eta", label = "a" },
            new { text = "something else entirely here", label = "a" })), fields: train.Fields);
        Assert.Equal((1, 1), DataProfile.Of(train, LabTasks.Classification, test).TestOverlap);
    }

    [Theory]
    [InlineData("{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"b\"}\n", "m.jsonl:2: field 'label' is missing")]
    [InlineData("{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"  \",\"label\":\"y\"}\n", "m.jsonl:2: field 'text' is empty")]
    [InlineData("{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":[1],\"label\":\"y\"}\n", "m.jsonl:2: field 'text': expected text, found array")]
    [InlineData("{\"body\":\"a\",\"topic\":\"x\"}\n", "m.jsonl:1: no text/label, input/output, prompt/completion or messages fields (found: body, topic)")]
    [InlineData("{\"text\":\"a\",\"label\":\"x\"}\nnot json\n", "m.jsonl:2: invalid JSON")]
    [InlineData("{\"id\":\"a\",\"text\":\"a\",\"label\":\"x\"}\n{\"id\":\"a\",\"text\":\"b\",\"label\":\"y\"}\n", "m.jsonl:2: field 'id': 'a' is used twice (first on line 1)")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n", "m.jsonl:1: field 'messages': no assistant turn")]
    public void Each_bad_row_is_one_line_naming_file_line_and_field(string content, string message)
    {
        var path = _ws.Write("m.jsonl", content);
        var ex = Assert.Throws<LeverUserException>(() => DatasetImporter.Read(path));
        Assert.StartsWith(Path.Combine(_ws.Root, message), ex.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(ex.Hint));
    }

    [Fact]
    public void A_class_with_one_example_and_a_test_label_unknown_to_training_are_refused()
    {
        var data = DatasetImporter.Read(_ws.Write("c.jsonl", Jsonl(new { text = "a", label = "x" }, new { text = "b", label = "x" }, new { text = "c", label = "y" }, new { text = "d", label = "y" }, new { text = "e", label = "rare" })));
        var ex = Assert.Throws<LeverUserException>(() => DataProfile.CheckClassification(data, null));
        Assert.Equal($"{data.Path}:5: class 'rare' has 1 example; a class needs at least 2 (one to train on, one to test)", ex.Message);

        var ok = DatasetImporter.Read(_ws.Write("ok.jsonl", Jsonl(new { text = "a", label = "x" }, new { text = "b", label = "x" }, new { text = "c", label = "y" }, new { text = "d", label = "y" })));
        var test = DatasetImporter.Read(_ws.Write("t.jsonl", Jsonl(new { text = "e", label = "x" }, new { text = "f", label = "z" })), fields: ok.Fields);
        ex = Assert.Throws<LeverUserException>(() => DataProfile.CheckClassification(ok, test));
        Assert.StartsWith($"{test.Path}:2: label 'z' does not occur in the training data", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ragged_csv_row_and_bytes_that_are_not_utf8_name_their_line()
    {
        var ex = Assert.Throws<LeverUserException>(() => DatasetImporter.Read(_ws.Write("r.csv", "text,label\na,x\nb,y,extra\n")));
        Assert.StartsWith($"{_ws.Combine("r.csv")}:3: 3 field(s), the header has 2", ex.Message, StringComparison.Ordinal);
        var latin = _ws.Combine("l.jsonl");
        File.WriteAllBytes(latin, [.. "{\"text\":\"ok\",\"label\":\"x\"}\n{\"text\":\"caf"u8, 0xE9, .. "\",\"label\":\"y\"}\n"u8]);
        ex = Assert.Throws<LeverUserException>(() => DatasetImporter.Read(latin));
        Assert.StartsWith($"{latin}:2: bytes that are not UTF-8", ex.Message, StringComparison.Ordinal);
    }
}
