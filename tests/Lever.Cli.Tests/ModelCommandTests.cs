namespace Lever.Cli.Tests;

/// <summary>The engine's commands as a user runs them: init a model, generate, refuse a damaged checkpoint.</summary>
public sealed class ModelCommandTests
{
    [Trait("tier", "slow")]
    [Fact]
    public void Init_then_seeded_generate_prints_the_same_tokens_every_run()
    {
        var dir = Directory.CreateTempSubdirectory("lever-cli-model").FullName;
        try
        {
            var init = LeverProcess.Run(dir, "model", "init", "--config", "tiny", "-o", "m");
            Assert.True(init.ExitCode == 0, init.Stdout + init.Stderr);
            Assert.Contains("1,068,928 parameters", init.Stdout);
            foreach (var f in new[] { "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json" })
                Assert.True(File.Exists(Path.Combine(dir, "m", f)), f);

            string[] args = ["generate", "-m", "m", "--prompt", "hello", "--max-tokens", "16", "--seed", "1", "--show-ids"];
            var a = LeverProcess.Run(dir, args);
            var b = LeverProcess.Run(dir, args);
            Assert.True(a.ExitCode == 0, a.Stderr);
            var idsA = a.Stderr.Split('\n').Single(l => l.StartsWith("ids: ", StringComparison.Ordinal));
            Assert.Equal(16, idsA.Split(' ').Length - 1);
            Assert.Equal(idsA, b.Stderr.Split('\n').Single(l => l.StartsWith("ids: ", StringComparison.Ordinal)));
            Assert.Equal(a.Stdout, b.Stdout);
            Assert.Contains("16 generated", a.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Generate_json_prints_a_json_object_and_a_schema_outside_the_subset_is_exit_code_2_naming_the_keyword()
    {
        var dir = Directory.CreateTempSubdirectory("lever-cli-json").FullName;
        try
        {
            Assert.Equal(0, LeverProcess.Run(dir, "model", "init", "--config", "tiny", "-o", "m").ExitCode);
            var ok = LeverProcess.Run(dir, "generate", "-m", "m", "--prompt", "hello", "--max-tokens", "40", "--seed", "2", "--json");
            Assert.True(ok.ExitCode == 0, ok.Stderr);
            using (var doc = System.Text.Json.JsonDocument.Parse(ok.Stdout))
                Assert.Equal(System.Text.Json.JsonValueKind.Object, doc.RootElement.ValueKind);
            Assert.Contains("(stop)", ok.Stderr, StringComparison.Ordinal);

            File.WriteAllText(Path.Combine(dir, "s.json"), """{"type":"object","properties":{"id":{"type":"string","minLength":3}}}""");
            var bad = LeverProcess.Run(dir, "generate", "-m", "m", "--prompt", "hello", "--json-schema", "s.json");
            Assert.Equal(2, bad.ExitCode);
            var error = bad.Stderr.Split('\n').Single(l => l.StartsWith("error:", StringComparison.Ordinal));
            Assert.Contains("s.json.properties.id: the keyword 'minLength' is not supported", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_corrupted_safetensors_header_is_one_line_naming_the_file_and_exit_code_2()
    {
        var dir = Directory.CreateTempSubdirectory("lever-cli-bad").FullName;
        try
        {
            Assert.Equal(0, LeverProcess.Run(dir, "model", "init", "--config", "tiny", "-o", "m").ExitCode);
            var weights = Path.Combine(dir, "m", "model.safetensors");
            using (var f = File.OpenWrite(weights))
            {
                f.Position = 8;
                f.Write("{\"model.embed_tokens.weight\": {\"dtype\": \"F32\", "u8);   // header JSON cut short, then binary garbage
            }
            var r = LeverProcess.Run(dir, "generate", "-m", "m", "--prompt", "hi");
            Assert.Equal(2, r.ExitCode);
            var error = r.Stderr.Split('\n').Single(l => l.StartsWith("error:", StringComparison.Ordinal));
            Assert.Contains(Path.Combine("m", "model.safetensors"), error);
            Assert.Contains("corrupt header", error);
            Assert.DoesNotContain("internal error", r.Stdout + r.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Tokenizer_train_writes_a_tokenizer_that_model_init_uses()
    {
        var dir = Directory.CreateTempSubdirectory("lever-cli-tok").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "corpus.txt"), string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog\n", 50)));
            var train = LeverProcess.Run(dir, "tokenizer", "train", "--corpus", "corpus.txt", "--vocab", "300", "-o", "tok");
            Assert.True(train.ExitCode == 0, train.Stdout + train.Stderr);
            Assert.Contains("300 tokens", train.Stdout);
            var init = LeverProcess.Run(dir, "model", "init", "--config", "tiny", "-o", "m", "--tokenizer", "tok");
            Assert.True(init.ExitCode == 0, init.Stdout + init.Stderr);
            Assert.Contains("vocab 300", init.Stdout);
            var bad = LeverProcess.Run(dir, "tokenizer", "train", "--corpus", "missing.txt", "-o", "tok2");
            Assert.Equal(2, bad.ExitCode);
            Assert.Contains("missing.txt", bad.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
