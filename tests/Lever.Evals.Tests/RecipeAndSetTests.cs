using Lever.Core;
using Lever.Evals.Data;
using Lever.Evals.Recipes;

namespace Lever.Evals.Tests;

public class RecipeAndSetTests
{
    private const string Yaml = """
        name: triage
        version: "2"
        provider: openai
        model: gpt-4o-mini
        system_prompt: "Classify the ticket as one of {{labels}}."
        few_shot:
          mode: nearest
          k: 2
          pool: pool.jsonl
        generation:
          temperature: 0
          max_tokens: 8
        parser:
          kind: label
          labels: [billing, technical]
        scoring:
          scorers: [label, exact]
        """;

    [Fact]
    public void A_recipe_file_loads_by_name_and_its_hash_tracks_content_not_name()
    {
        using var ws = new TempWorkspace();
        ws.Write("recipes/triage.yaml", Yaml);
        ws.Write("recipes/pool.jsonl", "{\"input\":\"x\",\"expected\":\"billing\"}\n");
        var recipe = RecipeLoader.Load(Workspace.Open(ws.Root), "triage");
        Assert.Equal("triage", recipe.Name);
        Assert.Equal(["billing", "technical"], recipe.Parser.Labels);
        Assert.Equal(Path.Combine(ws.Root, "recipes", "pool.jsonl"), recipe.FewShot.Pool);
        var hash = recipe.Hash();
        Assert.Equal(64, hash.Length);

        recipe.Name = "renamed";
        recipe.Scoring.Scorers = ["exact"];
        Assert.Equal(hash, recipe.Hash());
        recipe.SystemPrompt += " ";
        Assert.NotEqual(hash, recipe.Hash());
    }

    [Fact]
    public void Retrieval_mode_is_checked_and_only_a_set_mode_changes_the_recipes_identity()
    {
        using var ws = new TempWorkspace();
        const string Rag = "name: rag\nmodel: m\nretrieval:\n  index: docs\n  k: 3\n";
        ws.Write("recipes/rag.yaml", Rag);
        var plain = RecipeLoader.Load(Workspace.Open(ws.Root), "rag");
        Assert.Null(plain.Retrieval.Mode);
        ws.Write("recipes/rag.yaml", Rag + "  mode: vector\n");
        var vector = RecipeLoader.Load(Workspace.Open(ws.Root), "rag");
        Assert.Equal("vector", vector.Retrieval.Mode);
        Assert.NotEqual(plain.Hash(), vector.Hash());
        ws.Write("recipes/rag.yaml", Rag + "  mode: semantic\n");
        var bad = Assert.Throws<LeverUserException>(() => RecipeLoader.Load(Workspace.Open(ws.Root), "rag"));
        Assert.Contains("rag.yaml:6", bad.Message);
        Assert.Contains("'semantic' is not a search mode", bad.Message);
        Assert.Contains("retrieval.mode", bad.Message);
        Assert.Contains("bm25|vector|hybrid", bad.Hint);
    }

    [Fact]
    public void Inline_recipes_in_lever_yaml_are_found_by_name()
    {
        using var ws = new TempWorkspace();
        ws.Write("lever.yaml", "recipes:\n  plain:\n    provider: local\n    parser:\n      kind: text\n");
        var recipe = RecipeLoader.Load(Workspace.Open(ws.Root), "plain");
        Assert.Equal("plain", recipe.Name);
        Assert.Equal("local", recipe.Provider);
    }

    [Fact]
    public void A_recipes_lever_is_read_in_the_one_vocabulary_and_written_by_its_name()
    {
        using var ws = new TempWorkspace();
        ws.Write("recipes/tuned.yaml", "lever: Fine-Tune-LoRA\nparser:\n  kind: text\n");
        Assert.Equal("fine_tune_lora", RecipeLoader.Load(Workspace.Open(ws.Root), "tuned").Lever);
        ws.Write("recipes/classical.yaml", "lever: baseline\nparser:\n  kind: text\n");
        Assert.Equal("baseline", RecipeLoader.Load(Workspace.Open(ws.Root), "classical").Lever);

        ws.Write("recipes/magic.yaml", "lever: magic\nparser:\n  kind: text\n");
        var ex = Assert.Throws<LeverUserException>(() => RecipeLoader.Load(Workspace.Open(ws.Root), "magic"));
        Assert.Contains("magic.yaml:1:", ex.Message); // the line of the field, as every recipe error names it
        Assert.Contains("lever: 'magic' is not one of baseline | prompt | prompt_caching | rag | fine_tune_lora", ex.Message);
        Assert.Contains("| hybrid", ex.Message);
    }

    [Fact]
    public void Bad_recipe_fields_are_named_with_file_and_fix()
    {
        using var ws = new TempWorkspace();
        ws.Write("recipes/bad.yaml", "few_shot:\n  mode: sometimes\n");
        var ex = Assert.Throws<LeverUserException>(() => RecipeLoader.Load(Workspace.Open(ws.Root), "bad"));
        Assert.Contains("bad.yaml", ex.Message);
        Assert.Contains("few_shot.mode", ex.Message);
        Assert.Contains("none, fixed or nearest", ex.Hint);

        ws.Write("recipes/typo.yaml", "parser:\n  kind: label\n  lables: [a]\n");
        var typo = Assert.Throws<LeverUserException>(() => RecipeLoader.Load(Workspace.Open(ws.Root), "typo"));
        Assert.Contains("typo.yaml:3", typo.Message);
        Assert.Contains("unknown field 'lables'", typo.Message);

        var missing = Assert.Throws<LeverUserException>(() => RecipeLoader.Load(Workspace.Open(ws.Root), "nope"));
        Assert.Contains("known recipes: bad, typo", missing.Hint);
    }

    [Fact]
    public void Recipe_errors_name_line_column_and_the_whole_path()
    {
        using var ws = new TempWorkspace();
        ws.Write("recipes/deep.yaml", "few_shot:\n  mode: fixed\n  k: 0\n  pool: p.jsonl\n");
        var file = Assert.Throws<LeverUserException>(() => RecipeLoader.Load(Workspace.Open(ws.Root), "deep"));
        Assert.EndsWith("deep.yaml:3:6: few_shot.k: 0 is not a positive count", file.Message);

        ws.Write("lever.yaml", "recipes:\n  triage:\n    generation: {max_tokns: 5}\n");
        var typo = Assert.Throws<LeverUserException>(() => RecipeLoader.Load(Workspace.Open(ws.Root), "triage"));
        Assert.EndsWith("lever.yaml:3:18: recipes.triage.generation.max_tokns: unknown field 'max_tokns' — did you mean max_tokens?", typo.Message);

        ws.Write("lever.yaml", "recipes:\n  triage:\n    few_shot: {mode: nearest, k: -1, pool: p.jsonl}\n");
        var inline = Assert.Throws<LeverUserException>(() => RecipeLoader.Load(Workspace.Open(ws.Root), "triage"));
        Assert.EndsWith("lever.yaml:3:34: recipes.triage.few_shot.k: -1 is not a positive count", inline.Message);
    }

    [Fact]
    public void Eval_set_reads_inputs_messages_and_metadata()
    {
        using var ws = new TempWorkspace();
        var path = ws.Write("set.jsonl", """
            {"id":"a","input":"Q1","expected":"yes","metadata":{"tags":["easy"],"user":"ann","groups":["hr"],"fact":"F","relevant":["d1"]}}

            {"messages":[{"role":"system","content":"S"},{"role":"user","content":"Q2"}],"expected":{"n":1}}
            """);
        var set = EvalSet.Load(path);
        Assert.Equal(2, set.Items.Count);
        var a = set.Items[0];
        Assert.Equal(("a", "Q1", "yes", "ann", "F"), (a.Id, a.Input, a.ExpectedText, a.User, a.Fact));
        Assert.Equal(["easy"], a.Tags);
        Assert.Equal(["hr"], a.Groups);
        Assert.Equal(["d1"], a.Relevant);
        var b = set.Items[1];
        Assert.Equal("3", b.Id); // numbered by line: line 2 is blank
        Assert.Equal("Q2", b.QueryText);
        Assert.Equal("""{"n":1}""", b.ExpectedText);
        Assert.NotEqual(a.Hash, b.Hash);
    }

    [Theory]
    [InlineData("{\"input\":\"ok\",\"expected\":\"x\"}\n{\"input\": 5}\n", "set.jsonl:2: field 'input': expected a string")]
    [InlineData("{\"input\":\"ok\"}\n{\"expected\":\"x\"}\n", "set.jsonl:2: field 'input': missing")]
    [InlineData("{\"input\":\"ok\"}\n{\"input\":\"x\",\"metadata\":{\"tags\":[1]}}\n", "set.jsonl:2: field 'metadata.tags'")]
    [InlineData("{\"input\":\"ok\"}\n{\"input\":\"x\"\n", "set.jsonl:2: invalid JSON")]
    [InlineData("{\"id\":\"q\",\"input\":\"ok\"}\n{\"id\":\"q\",\"input\":\"x\"}\n", "set.jsonl:2: field 'id': duplicate id 'q'")]
    [InlineData("{\"input\":\"ok\"}\n{\"messages\":[{\"role\":\"bot\",\"content\":\"x\"}]}\n", "set.jsonl:2: field 'messages[0].role'")]
    public void Malformed_lines_are_reported_with_their_line_number(string text, string expected)
    {
        using var ws = new TempWorkspace();
        var path = ws.Write("set.jsonl", text);
        var ex = Assert.Throws<LeverUserException>(() => EvalSet.Load(path));
        Assert.Contains(expected, ex.Message);
    }
}
