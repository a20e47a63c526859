using Lever.Retrieval.Ingestion;

namespace Lever.Retrieval.Tests;

public sealed class ChunkerTests
{
    private static ExtractedDocument Doc(string text, params DocumentSection[] sections) =>
        new("d.txt", "D", "/d.txt", text, sections, [], ["*"], "h");

    [Fact]
    public void Chunks_stay_inside_sections_respect_the_budget_overlap_and_never_cut_a_word()
    {
        var rng = new Random(5);
        var words = Enumerable.Range(0, 700).Select(i => i % 17 == 16 ? $"w{i}." : $"w{i}{new string('x', rng.Next(0, 6))}").ToList();
        var a = string.Join(' ', words.Take(500));
        var b = string.Join("  \n ", words.Skip(500));
        var text = a + "\n" + b;
        var doc = Doc(text, new DocumentSection("A", 0, a.Length), new DocumentSection("A > B", a.Length + 1, text.Length));
        var options = new ChunkingOptions(MaxTokens: 60, OverlapTokens: 10);
        var chunks = Chunker.Chunk(doc, options);

        foreach (var c in chunks)
        {
            var body = text[c.Start..c.End];
            var count = body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
            Assert.InRange(count, 1, 60);
            Assert.False(char.IsWhiteSpace(text[c.Start]) || char.IsWhiteSpace(text[c.End - 1]));
            Assert.True(c.Start == 0 || char.IsWhiteSpace(text[c.Start - 1]), $"chunk starts mid-word at {c.Start}");
            Assert.True(c.End == text.Length || char.IsWhiteSpace(text[c.End]), $"chunk ends mid-word at {c.End}");
            var section = doc.Sections.Single(s => s.HeadingPath == c.HeadingPath);
            Assert.InRange(c.Start, section.Start, section.End);
            Assert.InRange(c.End, section.Start, section.End);
        }
        // Every word is in some chunk; consecutive chunks of one section overlap by the configured amount at most.
        foreach (var w in words) Assert.Contains(chunks, c => text[c.Start..c.End].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Contains(w));
        var inA = chunks.Where(c => c.HeadingPath == "A").ToList();
        for (int i = 1; i < inA.Count; i++)
        {
            Assert.True(inA[i].Start < inA[i - 1].End, "consecutive chunks overlap");
            var shared = text[inA[i].Start..inA[i - 1].End].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
            Assert.InRange(shared, 1, 10);
        }
        // Sentence ends are preferred: most cut points in section A end with a period.
        Assert.True(inA.Take(inA.Count - 1).Count(c => text[c.End - 1] == '.') >= inA.Count / 2);
    }

    [Fact]
    public void A_short_section_is_one_chunk_with_its_exact_span()
    {
        var doc = Doc("Title\nShort body here.", new DocumentSection("Title", 0, 22));
        var c = Assert.Single(Chunker.Chunk(doc, new ChunkingOptions()));
        Assert.Equal(new ChunkSpan("Title", 0, 22), c);
    }

    [Fact]
    public void Bad_chunk_settings_are_user_errors()
    {
        Assert.Throws<Lever.Core.LeverUserException>(() => new ChunkingOptions(4, 0).Validate());
        Assert.Throws<Lever.Core.LeverUserException>(() => new ChunkingOptions(100, 60).Validate());
    }
}
