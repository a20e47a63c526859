using System.Text.Json;

namespace Lever.Cli.Tests;

/// <summary><c>lever eval</c> measuring the no-LLM rows: a <c>kind: classical</c> provider trained on a labelled JSONL, and a <c>kind: knn_vote</c> recipe.</summary>
public sealed class EvalClassicalTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lever-cli-classical-" + Guid.NewGuid().ToString("N")[..8]);

    public EvalClassicalTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
        }
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static string Line(string input, string label) => JsonSerializer.Serialize(new { input, expected = label }) + "\n";

    [Fact]
    public void A_classical_recipe_is_trained_on_its_file_and_scored_like_any_label_recipe()
    {
        // Separable by vocabulary: spam talks money and prizes, ham talks meetings and reports.
        string[] spam = ["win cash prize now", "claim your free prize money", "cash bonus winner offer", "free money winner claim now", "prize offer cash free"];
        string[] ham = ["meeting agenda for monday", "please review the report draft", "notes from the team meeting", "report on the project schedule", "agenda and notes attached"];
        Write("train.jsonl", string.Concat(spam.Select(t => Line(t, "spam")).Concat(ham.Select(t => Line(t, "ham")))));
        Write("lever.yaml", "providers:\n  baseline:\n    kind: classical\n    model: train.jsonl\n");
        Write("recipes/logreg.yaml", "provider: baseline\nlever: baseline\nparser:\n  kind: label\n  labels: [ham, spam]\n");
        // 8 items, texts the model was fitted on (so each is answered by its words); the last one's gold label disagrees
        // with its words, so exactly one answer is wrong.
        Write("set.jsonl", string.Concat(spam.Take(4).Select(t => Line(t, "spam")).Concat(ham.Take(3).Select(t => Line(t, "ham")))) + Line(spam[4], "ham"));

        var r = LeverProcess.Run(_dir, "eval", "--recipe", "logreg", "--set", "set.jsonl", "--json", "--no-diagnose", "--workspace", _dir);

        Assert.True(r.ExitCode == 0, r.Stderr);
        var summary = JsonDocument.Parse(r.Stdout.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal(8, summary.GetProperty("completed").GetInt32());
        var metrics = summary.GetProperty("metrics");
        Assert.Equal(7.0 / 8, metrics.GetProperty("accuracy").GetDouble(), 12);
        // ham: P 3/3, R 3/4 → F1 6/7; spam: P 4/5, R 4/4 → F1 8/9.
        Assert.Equal((6.0 / 7 + 8.0 / 9) / 2, metrics.GetProperty("macro_f1").GetDouble(), 12);
        Assert.Equal(1, summary.GetProperty("confusion").GetProperty("ham").GetProperty("spam").GetInt32());
        Assert.Equal(0, summary.GetProperty("input_tokens").GetInt64()); // no LLM: no tokens
    }

    [Fact]
    public void A_knn_vote_recipe_needs_no_provider_and_is_scored_like_any_label_recipe()
    {
        string[] spam = ["win cash prize now", "claim your free prize money", "cash bonus winner offer", "free money winner claim now", "prize offer cash free"];
        string[] ham = ["meeting agenda for monday", "please review the report draft", "notes from the team meeting", "report on the project schedule", "agenda and notes attached"];
        Write("pool.jsonl", string.Concat(spam.Select(t => Line(t, "spam")).Concat(ham.Select(t => Line(t, "ham")))));
        Write("lever.yaml", "# no providers: a vote calls no model\n");
        Write("recipes/vote.yaml", "kind: knn_vote\nlever: rag\nfew_shot:\n  mode: nearest\n  k: 3\n  pool: ../pool.jsonl\nparser:\n  kind: label\n  labels: [ham, spam]\n");
        // Nearest three by token-set Jaccard (ties in pool order): 1) three spam at 2/5 → spam; 2) "agenda and notes attached"
        // 3/5 and two meetings 2/6 → ham; 3) "please review the report draft" 2/5, "prize offer cash free" and "report on the
        // project schedule" 1/6 → ham 2–1; 4) "free money winner claim now" 4/5 and two more spam → spam, against gold ham.
        Write("set.jsonl", Line("cash prize winner", "spam") + Line("meeting notes and agenda", "ham") + Line("free report draft", "ham") + Line("claim free money now", "ham"));

        var r = LeverProcess.Run(_dir, "eval", "--recipe", "vote", "--set", "set.jsonl", "--json", "--no-diagnose", "--workspace", _dir);

        Assert.True(r.ExitCode == 0, r.Stderr);
        var summary = JsonDocument.Parse(r.Stdout.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal(4, summary.GetProperty("completed").GetInt32());
        var metrics = summary.GetProperty("metrics");
        Assert.Equal(3.0 / 4, metrics.GetProperty("accuracy").GetDouble(), 12);
        // ham: P 2/2, R 2/3 → F1 4/5; spam: P 1/2, R 1/1 → F1 2/3.
        Assert.Equal((4.0 / 5 + 2.0 / 3) / 2, metrics.GetProperty("macro_f1").GetDouble(), 12);
        Assert.Equal(1, summary.GetProperty("confusion").GetProperty("ham").GetProperty("spam").GetInt32());
        Assert.Equal(0, summary.GetProperty("input_tokens").GetInt64());
    }
}
