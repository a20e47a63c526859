using System.Text.Json.Nodes;
using Lever.Advisor;
using Lever.Core.Levers;

namespace Lever.Lab.Reporting;

/// <summary>
/// What a lab run recommends: the advisor's <see cref="Advisor.Advice"/> on the measured recipes when lever.yaml declares
/// a workload, else the lab's own pick (the cheapest measured recipe within the accuracy tolerance of the best). The
/// report, the CLI and the tests read these properties; <see cref="ToJson"/> is summary.json's <c>recommendation</c>,
/// written for files and never read back.
/// </summary>
public sealed record LabRecommendation
{
    /// <summary>The recommended lever; null when nothing was measured. The lab's own rule may pick <see cref="LeverKind.Baseline"/>.</summary>
    public LeverKind? Primary { get; init; }

    /// <summary>The measured recipe that pulls <see cref="Primary"/> (the most accurate, then the cheapest, of those that do); null when none does.</summary>
    public string? Recipe { get; init; }

    /// <summary>One sentence (the advisor's ≤ 300-character recommendation: lever, recipe, quality with its interval, monthly cost, reason); null when the lab's own rule decided without one.</summary>
    public string? Summary { get; init; }

    /// <summary>What decided when the advisor did not (the lab's own rule); null for the advisor's advice.</summary>
    public string? Source { get; init; }

    /// <summary>Why, one line each: the lab rule's lines, or the text of each advisor rule that fired (<see cref="Advice"/> has their sources).</summary>
    public IReadOnlyList<string> Rationale { get; init; } = [];

    /// <summary>The advisor's ordered plan; empty for the lab's own rule.</summary>
    public IReadOnlyList<string> Plan { get; init; } = [];

    /// <summary>Things to watch, ending with the lab's notes on what it could not measure as configured.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The advisor's advice, when a workload let it run; null when the lab's own rule decided.</summary>
    public Advice? Advice { get; init; }

    /// <summary>The lab rule's table of measured recipes (null when the advisor decided, or the rule keeps none).</summary>
    public IReadOnlyList<FrontierOption>? Options { get; init; }

    /// <summary>The monthly volume the lab rule priced at (null when the advisor decided, or the rule does not say).</summary>
    public double? RequestsPerMonth { get; init; }

    /// <summary>The advisor's advice as the lab's recommendation; <paramref name="recipe"/> is the measured recipe that pulls its lever.</summary>
    public static LabRecommendation From(Advice advice, string? recipe) => new()
    {
        Primary = advice.Primary, Recipe = recipe, Summary = advice.Recommendation.Length > 0 ? advice.Recommendation : advice.Summary, Rationale = [.. advice.Rationale.Select(r => r.Text)],
        Plan = advice.Plan, Warnings = advice.Warnings, Advice = advice,
    };

    /// <summary>The same recommendation with <paramref name="notes"/> after its warnings (the advice's too, so summary.json lists them).</summary>
    public LabRecommendation WithWarnings(IEnumerable<string> notes)
    {
        IReadOnlyList<string> warnings = [.. Warnings, .. notes];
        return this with { Warnings = warnings, Advice = Advice is null ? null : Advice with { Warnings = warnings } };
    }

    /// <summary>
    /// summary.json's <c>recommendation</c>: the advisor's JSON (<c>lever advise --json</c>, docs/ADVISOR.md) when it decided,
    /// else the lab rule's <c>{"primary","recipe","source","summary","requests_per_month","rationale","warnings","options"}</c>
    /// with the fields it has (docs/LAB.md).
    /// </summary>
    public JsonObject ToJson()
    {
        if (Advice is not null) return JsonNode.Parse(AdviceJson.Write(Advice))!.AsObject();
        var json = new JsonObject { ["primary"] = Primary is { } p ? LeverKinds.Name(p) : null };
        if (Recipe is not null) json["recipe"] = Recipe;
        if (Source is not null) json["source"] = Source;
        if (Summary is not null) json["summary"] = Summary;
        if (RequestsPerMonth is { } volume) json["requests_per_month"] = volume;
        json["rationale"] = new JsonArray([.. Rationale.Select(r => (JsonNode)r)]);
        json["warnings"] = new JsonArray([.. Warnings.Select(w => (JsonNode)w)]);
        if (Options is not null)
        {
            json["options"] = new JsonArray([.. Options.Select(o => (JsonNode)new JsonObject
            {
                ["lever"] = LeverKinds.Name(o.Lever),
                ["recipe"] = o.Recipe,
                ["accuracy"] = Math.Round(o.Accuracy, 4),
                ["macro_f1"] = Math.Round(o.MacroF1, 4),
                ["cost_per_1k_usd"] = o.CostPer1kUsd,
                ["monthly_usd"] = o.MonthlyUsd,
                ["one_time_usd"] = o.OneTimeUsd,
                ["on_frontier"] = o.OnFrontier,
            })]);
        }
        return json;
    }
}
