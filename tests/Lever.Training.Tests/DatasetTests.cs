using System.Text;
using System.Text.Json;
using Lever.Core;
using Lever.Core.Data;
using Lever.Training.Data;

namespace Lever.Training.Tests;

public sealed class DatasetTests
{
    private static TrainingRecord Parse(string json, TrainingRecordParser? parser = null)
    {
        using var doc = JsonDocument.Parse(json);
        var record = (parser ?? new TrainingRecordParser()).Parse(new JsonlLine("x.jsonl", 1, doc.RootElement.Clone(), null), out var error);
        Assert.True(record is not null, error);
        return record;
    }

    [Fact]
    public void Messages_label_mask_covers_assistant_turns_only()
    {
        var record = Parse("""{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Capital of France?"},{"role":"assistant","content":"Paris"},{"role":"user","content":"And Italy?"},{"role":"assistant","content":"Rome"}]}""");
        var example = new ExampleEncoder(new ByteTokenizer()).EncodeExample(record, 4096);

        Assert.Equal(example.InputIds.Length, example.Labels.Length);
        // Every label is either ignored or exactly the input token at that position.
        for (int i = 0; i < example.Labels.Length; i++)
            Assert.True(example.Labels[i] == TokenizedExample.IgnoreIndex || example.Labels[i] == example.InputIds[i]);

        // The trained positions, read back as text, are exactly the two answers with their end-of-turn marks.
        var trained = ByteTokenizer.Decode(example.Labels.Where(l => l != TokenizedExample.IgnoreIndex));
        Assert.Equal("Paris<|im_end|>Rome<|im_end|>", trained);
        // The whole input is the ChatML rendering, and nothing of system/user text is trained.
        var full = ByteTokenizer.Decode(example.InputIds);
        Assert.StartsWith("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n", full, StringComparison.Ordinal);
        int parisAt = full.IndexOf("Paris", StringComparison.Ordinal);
        Assert.All(example.Labels.Take(parisAt), l => Assert.Equal(TokenizedExample.IgnoreIndex, l));
        Assert.Equal((int)'P', example.Labels[parisAt]);
        Assert.Equal(TokenizedExample.IgnoreIndex, example.Labels[full.IndexOf("And Italy", StringComparison.Ordinal)]);
    }

    [Fact]
    public void Template_renderer_finds_assistant_spans_of_any_template()
    {
        // A template unlike ChatML: the mask is found by prefix difference, not by knowing the markup.
        static string Render(IReadOnlyList<TrainingMessage> ms, bool addGenerationPrompt) =>
            string.Concat(ms.Select(m => m.Role == "assistant" ? $"[A]{m.Content}</s>" : $"[{m.Role[0]}]{m.Content}\n")) + (addGenerationPrompt ? "[A]" : "");
        var renderer = new TemplateChatRenderer(Render);
        var segments = renderer.Render([new("user", "hi"), new("assistant", "hello"), new("user", "bye"), new("assistant", "ciao")]);
        Assert.Equal("[u]hi\n[A]hello</s>[u]bye\n[A]ciao</s>", string.Concat(segments.Select(s => s.Text)));
        Assert.Equal(["hello</s>", "ciao</s>"], segments.Where(s => s.Trainable).Select(s => s.Text));
    }

    [Fact]
    public void Prompt_completion_trains_on_completion_and_eos_only()
    {
        var example = new ExampleEncoder(new ByteTokenizer(withBos: true)).EncodeExample(Parse("""{"prompt":"2+2=","completion":"4"}"""), 100);
        Assert.Equal([257, '2', '+', '2', '=', '4', 256], example.InputIds);
        Assert.Equal([-100, -100, -100, -100, -100, '4', 256], example.Labels);
        Assert.Equal(2, example.TrainableTokens);
    }

    [Fact]
    public void Text_is_packed_end_to_end_with_eos_separators_into_fixed_windows()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        var file = tmp.Write("t.jsonl", "{\"text\":\"abc\"}\n{\"text\":\"defg\"}\n{\"text\":\"hi\"}\n");
        using var data = DatasetBuilder.Prepare(file, null, new ExampleEncoder(new ByteTokenizer()), tmp.Combine("d"), seed: 1, validationFraction: 0);
        Assert.Equal(DatasetFormat.Text, data.Format);
        Assert.Equal(12, data.Train.TotalTokens); // 3+1 + 4+1 + 2+1
        var seqs = data.TrainSequences(4);
        Assert.Equal(3, seqs.Count);
        Assert.Equal(['a', 'b', 'c', 256], seqs.Get(0).InputIds);
        Assert.Equal(['d', 'e', 'f', 'g'], seqs.Get(1).InputIds);
        Assert.Equal([256, 'h', 'i', 256], seqs.Get(2).InputIds);
        Assert.Equal(seqs.Get(2).InputIds, seqs.Get(2).Labels); // pre-training: every token carries loss
    }

    [Fact]
    public void Split_is_deterministic_by_seed_and_keeps_duplicates_together()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        var lines = Enumerable.Range(0, 400).Select(i => $"{{\"prompt\":\"q{i}\",\"completion\":\"a{i}\"}}").ToList();
        lines.Add(lines[5]);
        lines.Add("{\"completion\":\"a7\",  \"prompt\":\"q7\"}"); // same content, other key order: still a duplicate
        var file = tmp.Write("d.jsonl", string.Join("\n", lines));
        var encoder = new ExampleEncoder(new ByteTokenizer());

        int[] Sizes(int seed, string name)
        {
            using var d = DatasetBuilder.Prepare(file, null, encoder, tmp.Combine(name), seed, 0.1);
            Assert.Equal(2, d.DuplicatesDropped);
            return [d.Train.Count, d.Validation.Count];
        }
        var a = Sizes(42, "a");
        var b = Sizes(42, "b");
        var c = Sizes(7, "c");
        Assert.Equal(a, b);
        Assert.Equal(400, a[0] + a[1]);
        Assert.InRange(a[1], 25, 60); // ~10% of 400
        var valA = Enumerable.Range(0, 400).Count(i => DataSplit.IsValidation(Parse(lines[i]).ContentHash, 42, 0.1));
        var valC = Enumerable.Range(0, 400).Count(i => DataSplit.IsValidation(Parse(lines[i]).ContentHash, 7, 0.1));
        Assert.Equal(a[1], valA);
        Assert.Equal(c[1], valC);
        // Another seed picks another slice.
        var sliceA = Enumerable.Range(0, 400).Where(i => DataSplit.IsValidation(Parse(lines[i]).ContentHash, 42, 0.1));
        var sliceC = Enumerable.Range(0, 400).Where(i => DataSplit.IsValidation(Parse(lines[i]).ContentHash, 7, 0.1));
        Assert.NotEqual(sliceA, sliceC);
    }

    [Fact]
    public void Bom_and_crlf_files_give_the_same_examples()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        var body = "{\"prompt\":\"a\",\"completion\":\"b\"}\n{\"prompt\":\"c\",\"completion\":\"d\"}\n";
        var plain = tmp.Write("plain.jsonl", body);
        var crlf = Path.Combine(tmp.Root, "crlf.jsonl");
        File.WriteAllText(crlf, body.Replace("\n", "\r\n", StringComparison.Ordinal), new UTF8Encoding(true));
        var encoder = new ExampleEncoder(new ByteTokenizer());
        using var p = DatasetBuilder.Prepare(plain, null, encoder, tmp.Combine("p"), 1, 0);
        using var c = DatasetBuilder.Prepare(crlf, null, encoder, tmp.Combine("c"), 1, 0);
        Assert.Equal(2, c.Train.Count);
        for (int i = 0; i < 2; i++) Assert.Equal(p.TrainSequences(64).Get(i), c.TrainSequences(64).Get(i), new ExampleComparer());
        Assert.DoesNotContain('\r', ByteTokenizer.Decode(c.TrainSequences(64).Get(1).InputIds));
    }

    [Fact]
    public void Training_refuses_a_file_with_bad_lines_and_names_them()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        var file = tmp.Write("bad.jsonl", "{\"text\":\"ok\"}\n{\"text\": 3}\n{oops\n{\"prompt\":\"p\",\"completion\":\"c\"}\n");
        var ex = Assert.Throws<LeverUserException>(() => DatasetBuilder.Prepare(file, null, new ExampleEncoder(new ByteTokenizer()), tmp.Combine("d"), 1, 0));
        Assert.Contains("3 invalid lines", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 2: field \"text\" must be a string", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 3: invalid JSON", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 4: this line is {\"prompt\",\"completion\"} but the file is {\"text\"}", ex.Message, StringComparison.Ordinal);
    }

    private sealed class ExampleComparer : IEqualityComparer<TokenizedExample>
    {
        public bool Equals(TokenizedExample? x, TokenizedExample? y) => x!.InputIds.SequenceEqual(y!.InputIds) && x.Labels.SequenceEqual(y.Labels);
        public int GetHashCode(TokenizedExample obj) => obj.InputIds.Length;
    }
}
