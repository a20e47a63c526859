using Lever.Core;
using Lever.Evals.Recipes;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Scoring;

/// <summary>Builds the scorers a recipe asks for (or the defaults for its parser).</summary>
public static class ScorerFactory
{
    /// <summary>Every scorer name a recipe may list.</summary>
    public static IReadOnlyList<string> Known { get; } = ["exact", "normalized", "label", "token_f1", "contains", "answer", "regex", "json", "numeric", "citation", "judge"];

    /// <summary>The scorer names that apply to <paramref name="recipe"/>: its list, or the defaults for its parser kind.</summary>
    public static IReadOnlyList<string> NamesFor(Recipe recipe) => recipe.Scoring.Scorers.Count > 0
        ? recipe.Scoring.Scorers
        : recipe.Parser.Kind switch
        {
            "label" => ["label"],
            "json" => ["json"],
            _ => ["normalized", "token_f1"],
        };

    /// <summary>Builds the scorers; <paramref name="judge"/> is required only when the judge scorer is listed.</summary>
    public static IReadOnlyList<IScorer> Create(Recipe recipe, IChatClient? judge = null) =>
        NamesFor(recipe).Select(name => Create(name, recipe.Scoring, judge)).ToList();

    /// <summary>Builds one scorer by name.</summary>
    public static IScorer Create(string name, ScoringOptions options, IChatClient? judge = null) => name switch
    {
        "exact" => new ExactScorer(),
        "normalized" => new NormalizedScorer(),
        "label" => new LabelScorer(),
        "token_f1" => new TokenF1Scorer(options.TokenF1Pass),
        "contains" => new ContainsScorer(),
        "answer" => new AnswerScorer(),
        "regex" => new RegexScorer(),
        "json" => new JsonScorer(),
        "numeric" => new NumericScorer(options.NumericTolerance, options.NumericRelativeTolerance),
        "citation" => new CitationScorer(),
        "judge" => new JudgeScorer(judge ?? throw new LeverUserException("the judge scorer needs a provider", "set scoring.judge_provider in the recipe to a provider under providers: in lever.yaml"),
            options.JudgeRubric ?? "The candidate states the same facts as the reference, with nothing contradicting it."),
        _ => throw new LeverUserException($"unknown scorer '{name}'", $"use one of {string.Join(", ", Known)}"),
    };
}
