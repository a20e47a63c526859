using System.Text.Json;
using Lever.Core;
using Lever.Core.Config;
using Lever.Core.Levers;

namespace Lever.Evals.Recipes;

/// <summary>Finds a recipe by file path, by name under <c>recipes/</c>, or by name in lever.yaml's <c>recipes:</c>, and validates it.</summary>
public static class RecipeLoader
{
    /// <summary>Folder under the workspace that holds recipe files.</summary>
    public const string RecipesFolder = "recipes";

    /// <summary>Loads <paramref name="nameOrPath"/> in <paramref name="workspace"/>; throws a <see cref="LeverUserException"/> naming what is wrong.</summary>
    public static Recipe Load(Workspace workspace, string nameOrPath)
    {
        var candidates = new[]
        {
            Path.IsPathRooted(nameOrPath) ? nameOrPath : Path.Combine(workspace.Root, nameOrPath),
            Path.Combine(workspace.Root, RecipesFolder, nameOrPath + ".yaml"),
            Path.Combine(workspace.Root, RecipesFolder, nameOrPath + ".yml"),
        };
        foreach (var file in candidates)
        {
            if (!File.Exists(file)) continue;
            var node = LeverConfig.LoadFile(file);
            var recipe = node.Bind<Recipe>()!;
            if (string.IsNullOrWhiteSpace(recipe.Name)) recipe.Name = Path.GetFileNameWithoutExtension(file);
            return Validate(recipe, node, Path.GetDirectoryName(file)!);
        }
        var config = LeverConfig.Load(workspace.ConfigPath);
        var inline = config.Section<Dictionary<string, Recipe>>("recipes");
        if (inline is not null && inline.TryGetValue(nameOrPath, out var fromConfig))
        {
            if (string.IsNullOrWhiteSpace(fromConfig.Name)) fromConfig.Name = nameOrPath;
            return config.SectionNode("recipes")!.Field(nameOrPath) is { } node
                ? Validate(fromConfig, node, workspace.Root)
                : Validate(fromConfig, $"{workspace.ConfigPath} (recipes.{nameOrPath})", workspace.Root);
        }
        var known = inline?.Keys.Concat(ListFiles(workspace)).Distinct().Order().ToList() ?? ListFiles(workspace).ToList();
        throw new LeverUserException(
            $"recipe '{nameOrPath}' not found (looked for {candidates[0]}, {candidates[1]} and recipes: in {workspace.ConfigPath})",
            known.Count > 0 ? $"known recipes: {string.Join(", ", known)}" : "create recipes/NAME.yaml (see docs/EVALS.md) or pass --model DIR");
    }

    /// <summary>Checks field values that YAML binding cannot (enumerations, ranges, schema JSON); <paramref name="where"/> names the source.</summary>
    public static Recipe Validate(Recipe recipe, string where, string baseDir) =>
        Validate(recipe, baseDir, (field, problem, fix) => new LeverUserException($"{where}: field '{field}': {problem}", fix));

    /// <summary>Checks a recipe bound from <paramref name="source"/>; each error cites the field's line and its whole path.</summary>
    public static Recipe Validate(Recipe recipe, YamlNode source, string baseDir) =>
        Validate(recipe, baseDir, source.ErrorAt);

    private static Recipe Validate(Recipe recipe, string baseDir, Func<string, string, string?, LeverUserException> bad)
    {

        // One vocabulary (Lever.Core.Levers); the summary then names the lever as every other file does.
        if (recipe.Lever is { } lever)
            recipe.Lever = LeverKinds.TryParse(lever, out var kind) ? LeverKinds.Name(kind)
                : throw bad("lever", $"'{lever}' is not one of {string.Join(" | ", LeverKinds.Names)}", "name the lever in snake_case, e.g. fine_tune_lora (docs/ADVISOR.md lists what each means)");
        if (recipe.Kind is not (Recipe.ChatKind or Recipe.KnnVoteKind))
            throw bad("kind", $"'{recipe.Kind}' is not a recipe kind", $"use {Recipe.ChatKind} (a model answers a prompt) or {Recipe.KnnVoteKind} (the nearest pool examples vote)");
        if (recipe.Kind == Recipe.KnnVoteKind)
        {
            if (recipe.FewShot.Mode != "nearest")
                throw bad("few_shot.mode", $"a {Recipe.KnnVoteKind} recipe votes with its nearest examples, not '{recipe.FewShot.Mode}' ones", "set few_shot.mode: nearest, with a pool and k");
            if (recipe.Parser.Kind != "label")
                throw bad("parser.kind", $"a {Recipe.KnnVoteKind} recipe answers with a label, so its parser is label, not '{recipe.Parser.Kind}'", "set parser: { kind: label, labels: [...] }");
        }
        if (recipe.FewShot.Mode is not ("none" or "fixed" or "nearest"))
            throw bad("few_shot.mode", $"'{recipe.FewShot.Mode}' is not a few-shot mode", "use none, fixed or nearest");
        if (recipe.FewShot.Mode != "none")
        {
            if (recipe.FewShot.K < 1) throw bad("few_shot.k", $"{recipe.FewShot.K} is not a positive count", "set k to 1 or more");
            if (string.IsNullOrWhiteSpace(recipe.FewShot.Pool)) throw bad("few_shot.pool", "missing", "name a JSONL file of solved examples (input, expected)");
            recipe.FewShot.Pool = Path.GetFullPath(Path.Combine(baseDir, recipe.FewShot.Pool));
        }
        if (recipe.FewShot.Similarity is not ("lexical" or "embedding"))
            throw bad("few_shot.similarity", $"'{recipe.FewShot.Similarity}' is not a similarity", "use lexical or embedding");
        if (recipe.Retrieval.Mode is { } mode)
        {
            try
            {
                Lever.Retrieval.SearchModes.Parse(mode, "retrieval.mode");
            }
            catch (LeverUserException e)
            {
                throw bad("retrieval.mode", $"'{mode}' is not a search mode", e.Hint ?? Lever.Retrieval.SearchModes.Names);
            }
        }
        if (recipe.Retrieval.Enabled && recipe.Retrieval.K < 1)
            throw bad("retrieval.k", $"{recipe.Retrieval.K} is not a positive count", "set k to 1 or more");
        if (recipe.Generation.MaxTokens < 1)
            throw bad("generation.max_tokens", $"{recipe.Generation.MaxTokens} is not a positive count", "set max_tokens to 1 or more");
        switch (recipe.Parser.Kind)
        {
            case "text":
                break;
            case "label":
                if (recipe.Parser.Labels.Count == 0) throw bad("parser.labels", "a label parser needs a label set", "list the labels, e.g. labels: [billing, technical, other]");
                break;
            case "json":
                if (recipe.Parser.SchemaFile is { } file)
                {
                    var full = Path.GetFullPath(Path.Combine(baseDir, file));
                    if (!File.Exists(full)) throw bad("parser.schema_file", $"{full} not found", "fix the path (relative to the recipe file)");
                    recipe.Parser.Schema = File.ReadAllText(full);
                    recipe.Parser.SchemaFile = null; // the schema text, not its path, is part of the identity
                }
                if (recipe.Parser.Schema is { } schema)
                {
                    try
                    {
                        using var _ = JsonDocument.Parse(schema);
                    }
                    catch (JsonException ex)
                    {
                        throw bad("parser.schema", $"not valid JSON ({ex.Message})", "write the JSON Schema as JSON text");
                    }
                }
                break;
            default:
                throw bad("parser.kind", $"'{recipe.Parser.Kind}' is not a parser", "use text, label or json");
        }
        if (RecipeResponseFormat.Problem(recipe) is { } problem) throw bad("generation.response_format", problem.Problem, problem.Fix);
        foreach (var scorer in recipe.Scoring.Scorers)
        {
            if (!Scoring.ScorerFactory.Known.Contains(scorer))
                throw bad("scoring.scorers", $"unknown scorer '{scorer}'", $"use one of {string.Join(", ", Scoring.ScorerFactory.Known)}");
        }
        return recipe;
    }

    private static IEnumerable<string> ListFiles(Workspace workspace)
    {
        var dir = Path.Combine(workspace.Root, RecipesFolder);
        return Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*.y*ml").Select(Path.GetFileNameWithoutExtension).OfType<string>()
            : [];
    }
}
