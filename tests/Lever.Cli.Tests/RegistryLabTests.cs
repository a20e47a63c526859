using System.Text.Json;

namespace Lever.Cli.Tests;

/// <summary><c>lever lab</c> registers what it measured, read back from its own files, and the dossier is written from it.</summary>
public sealed class RegistryLabTests : IDisposable
{
    private readonly TempWorkspace _tmp = new("lever-cli-registry-lab-");

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void A_lab_run_registers_its_recipe_with_the_advice_and_test_score_and_the_dossier_carries_them()
    {
        string[] ham = ["meeting", "patch", "release", "kernel", "review", "thanks"];
        string[] spam = ["free", "money", "offer", "click", "winner", "cash"];
        var rng = new Random(5);
        foreach (var (group, words) in new[] { ("easy-ham-1", ham), ("hard-ham-1", ham), ("spam-1", spam), ("easy-ham-2", ham), ("spam-2", spam) })
            for (var i = 0; i < 12; i++)
                _tmp.Write($"mail/corpus/{group}/{i:D5}.txt", $"From: x{i}@example.com\nSubject: {words[i % words.Length]}\n\n{string.Join(' ', Enumerable.Range(0, 20).Select(_ => words[rng.Next(words.Length)]))}\n");
        _tmp.Write("mail/lever.yaml", "purpose: Flag spam in a team mailbox.\nlab:\n  recipes: [baseline-logreg]\n  dataset:\n    path: corpus\n  compute:\n    requests_per_month: 1000\n");
        var ws = _tmp.Combine("mail");

        var lab = LeverProcess.Run(ws, "lab", ws);
        Assert.True(lab.ExitCode == 0, lab.Stdout + lab.Stderr);
        Assert.Contains("registry: registered the lab's recipes: mail-baseline-logreg@v1 (recommended)", lab.Stderr);
        var show = JsonDocument.Parse(LeverProcess.Run(ws, "registry", "show", "mail-baseline-logreg@v1", "--json").Stdout).RootElement;
        Assert.Equal("recipe", show.GetProperty("kind").GetString());
        var lineage = show.GetProperty("lineage");
        Assert.Equal("lever lab", lineage.GetProperty("source").GetString());
        Assert.True(lineage.GetProperty("lab").GetProperty("recommended").GetBoolean());
        Assert.Equal("baseline", lineage.GetProperty("advice").GetProperty("primary").GetString());
        var eval = show.GetProperty("evals")[0];
        Assert.Equal("lab", eval.GetProperty("source").GetString());
        Assert.Equal(24, eval.GetProperty("items").GetInt32()); // easy-ham-2 + spam-2, 12 each
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(ws, ".lever", "lab", "summary.json"))).RootElement;
        Assert.Equal(summary.GetProperty("recipes")[0].GetProperty("accuracy").GetDouble(), eval.GetProperty("score").GetDouble(), 3);

        // A rerun reuses every stage and the same files: no new version.
        var again = LeverProcess.Run(ws, "lab", ws);
        Assert.Equal(0, again.ExitCode);
        Assert.DoesNotContain("registry: registered", again.Stderr);

        Assert.Equal(0, LeverProcess.Run(ws, "dossier", "mail-baseline-logreg@v1", "-o", "dossier.md").ExitCode);
        var md = File.ReadAllText(Path.Combine(ws, "dossier.md"));
        Assert.Contains("| Intended purpose (1(a)) | Flag spam in a team mailbox. (lever.yaml `purpose:`) |", md);
        Assert.Contains("| The advisor's recommendation (2(b)) | baseline (recipe baseline-logreg); this version is the recommended one |", md);
        Assert.Contains("lab on lab test split", md);
    }
}
