using System.Text.Json.Nodes;

namespace Lever.Cli.Tests;

public sealed class LabCommandTests
{
    private static string Workspace()
    {
        var root = Directory.CreateTempSubdirectory("lever-lab-cli").FullName;
        string[] ham = ["meeting", "patch", "release", "kernel", "review", "thanks"];
        string[] spam = ["free", "money", "offer", "click", "winner", "cash"];
        var rng = new Random(5);
        foreach (var (group, words) in new[] { ("easy-ham-1", ham), ("hard-ham-1", ham), ("spam-1", spam), ("easy-ham-2", ham), ("spam-2", spam) })
        {
            var dir = Directory.CreateDirectory(Path.Combine(root, "corpus", group)).FullName;
            for (var i = 0; i < 12; i++)
                File.WriteAllText(Path.Combine(dir, $"{i:D5}.txt"),
                    $"From: x{i}@example.com\nSubject: {words[i % words.Length]}\n\n{string.Join(' ', Enumerable.Range(0, 20).Select(_ => words[rng.Next(words.Length)]))}\n");
        }
        File.WriteAllText(Path.Combine(root, "lever.yaml"), "lab:\n  recipes: [baseline-logreg]\n  dataset:\n    path: corpus\n  compute:\n    requests_per_month: 1000\n");
        return root;
    }

    [Fact]
    public void Lab_runs_end_to_end_prints_the_table_and_reuses_everything_on_a_rerun()
    {
        var ws = Workspace();
        try
        {
            var first = LeverProcess.Run(ws, "lab", ws);
            Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
            Assert.Contains("baseline-logreg", first.Stdout);
            Assert.Contains("recommendation: baseline", first.Stdout);
            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(ws, ".lever", "lab", "summary.json")))!;
            Assert.Equal("baseline", summary["recipes"]![0]!["lever"]!.GetValue<string>());
            Assert.True(File.Exists(Path.Combine(ws, ".lever", "lab", "report.html")));

            var second = LeverProcess.Run(ws, "lab", ws);
            Assert.Equal(0, second.ExitCode);
            Assert.Contains("train:baseline-logreg: reused", second.Stdout);
            Assert.Contains("0 ran, 4 reused", second.Stdout);
        }
        finally
        {
            Directory.Delete(ws, recursive: true);
        }
    }

    [Fact]
    public void The_vector_knn_row_runs_on_the_built_in_MiniLM_model_with_no_provider_and_lab_embedding_none_turns_it_off()
    {
        var ws = Workspace();
        try
        {
            File.WriteAllText(Path.Combine(ws, "lever.yaml"), "lab:\n  recipes: [rag-knn-vote, rag-knn-vote-vector]\n  dataset:\n    path: corpus\n  compute:\n    requests_per_month: 1000\n");
            var r = LeverProcess.Run(ws, "lab", ws);
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(ws, ".lever", "lab", "summary.json")))!;
            var rows = summary["recipes"]!.AsArray().ToDictionary(x => x!["name"]!.GetValue<string>());
            var vector = rows["rag-knn-vote-vector"]!;
            Assert.Equal("rag", vector["lever"]!.GetValue<string>());
            var results = JsonNode.Parse(File.ReadAllText(Path.Combine(ws, ".lever", "lab", "results.json")))!;
            Assert.Contains("local/all-MiniLM-L6-v2", results["recipes"]!.AsArray().Single(x => x!["name"]!.GetValue<string>() == "rag-knn-vote-vector")!["description"]!.GetValue<string>());
            // Six-word vocabularies per class: the sentence embeddings separate them as well as BM25 does.
            Assert.Equal(rows["rag-knn-vote"]!["accuracy"]!.GetValue<double>(), vector["accuracy"]!.GetValue<double>());
            Assert.True(vector["accuracy"]!.GetValue<double>() >= 0.95);
            Assert.True(new FileInfo(Path.Combine(ws, ".lever", "lab", "embeddings", "local_all-MiniLM-L6-v2.bin")).Length > 0);

            File.WriteAllText(Path.Combine(ws, "lever.yaml"), "lab:\n  embedding: none\n  recipes: [rag-knn-vote-vector]\n  dataset:\n    path: corpus\n  compute:\n    requests_per_month: 1000\n");
            var off = LeverProcess.Run(ws, "lab", ws);
            Assert.Equal(2, off.ExitCode);
            Assert.Contains("lab.recipes: unknown recipe rag-knn-vote-vector", off.Stderr);
            Assert.Contains("need an embedding model", off.Stderr);
        }
        finally
        {
            Directory.Delete(ws, recursive: true);
        }
    }

    [Fact]
    public void Lab_without_a_lab_section_exits_2_with_a_hint()
    {
        var ws = Directory.CreateTempSubdirectory("lever-lab-cli-empty").FullName;
        try
        {
            File.WriteAllText(Path.Combine(ws, "lever.yaml"), "providers: {}\n");
            var r = LeverProcess.Run(ws, "lab");
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("no lab: section", r.Stderr);
            Assert.Contains("hint:", r.Stderr);
        }
        finally
        {
            Directory.Delete(ws, recursive: true);
        }
    }
}
