using System.Globalization;
using Lever.Core.Levers;

namespace Lever.Advisor.Internal;

/// <summary>
/// The decision among measured recipes. The best is the most accurate eligible recipe; every recipe it does not beat by
/// a demonstrated gain (95% interval above zero and more than the tolerance) is as good as it; of those, the cheapest at
/// the declared volume (one-time training + 12 months) wins, costs within the noise of their latency measurement count
/// as equal, and equal costs go to the simpler lever (<see cref="LeverLadder"/>). Each recipe's gain is reported
/// against the best recipe of the simpler levers.
/// </summary>
internal sealed class MeasuredDecision
{
    /// <summary>One candidate: a measured row, or one derived from it (a measured prompt served with prompt caching).</summary>
    public sealed record Candidate(string Name, LeverKind Lever, RecipeEvidence Row, double? CostPer1k, bool Derived, string? Excluded, string? DerivedNote = null);

    private readonly double _r;
    private readonly double _tol;
    private readonly double _noise;
    private readonly int _resamples;

    public MeasuredDecision(double requestsPerMonth, double tolerancePoints, double latencyNoiseFraction, int resamples)
    {
        _r = requestsPerMonth;
        _tol = tolerancePoints;
        _noise = latencyNoiseFraction;
        _resamples = resamples;
    }

    public Candidate? Winner { get; private set; }

    public Candidate? Best { get; private set; }

    /// <summary>The winner's best simpler recipe (null when it is the simplest measured).</summary>
    public Candidate? Simpler { get; private set; }

    /// <summary>The winner's gain over <see cref="Simpler"/>.</summary>
    public GainInterval? Gain { get; private set; }

    /// <summary>The best recipe's gain over the winner (null when the winner is the best).</summary>
    public GainInterval? BestOverWinner { get; private set; }

    public IReadOnlyList<MeasuredOption> Table { get; private set; } = [];

    /// <summary>The winner's reason in a few words, for the one-sentence recommendation.</summary>
    public string Reason { get; private set; } = "";

    public static Measured Of(RecipeEvidence e) => new(e.Quality!.Value, e.Items, e.Outcomes, e.Accuracy is not null);

    public double? Tco(Candidate c) => c.CostPer1k is { } per1k ? (c.Row.TrainingUsd ?? 0) * (c.Derived ? 0 : 1) + 12 * per1k * _r / 1000 : null;

    /// <summary>Half-width of a candidate's cost that its latency measurement leaves open: local compute is latency × price.</summary>
    private double Band(Candidate c) => c.Row.Route == "self-hosted" && c.Row.LatencyP95Ms is not null && Tco(c) is { } t ? t * _noise : 0;

    private bool SameCost(Candidate a, Candidate b) =>
        Tco(a) is { } x && Tco(b) is { } y ? Math.Abs(x - y) <= Band(a) + Band(b) + 1e-12 : Tco(a) is null && Tco(b) is null;

    private readonly Dictionary<(Candidate, Candidate), GainInterval> _gains = [];

    private GainInterval G(Candidate a, Candidate b)
    {
        if (!_gains.TryGetValue((a, b), out var g)) _gains[(a, b)] = g = Intervals.Gain(Of(a.Row), Of(b.Row), _tol, _resamples);
        return g;
    }

    public void Decide(IReadOnlyList<Candidate> all)
    {
        var eligible = all.Where(c => c.Excluded is null).ToList();
        if (eligible.Count == 0) return;
        var best = eligible.OrderByDescending(c => c.Row.Quality).ThenBy(c => LeverLadder.Rank(c.Lever)).ThenBy(c => Tco(c) ?? double.MaxValue).ThenBy(c => c.Name, StringComparer.Ordinal).First();
        var contenders = eligible.Where(c => c == best || !G(best, c).Demonstrated).ToList();
        var cheapest = contenders.OrderBy(c => Tco(c) ?? double.MaxValue).ThenBy(c => LeverLadder.Rank(c.Lever)).ThenBy(c => c.Name, StringComparer.Ordinal).First();
        var winner = contenders.Where(c => SameCost(c, cheapest))
            .OrderBy(c => LeverLadder.Rank(c.Lever)).ThenByDescending(c => c.Row.Quality).ThenBy(c => Tco(c) ?? double.MaxValue).ThenBy(c => c.Name, StringComparer.Ordinal).First();
        Best = best;
        Winner = winner;
        BestOverWinner = best == winner ? null : G(best, winner);

        Candidate? SimplerOf(Candidate c) => eligible.Where(x => LeverLadder.Rank(x.Lever) < LeverLadder.Rank(c.Lever))
            .OrderByDescending(x => x.Row.Quality).ThenBy(x => Tco(x) ?? double.MaxValue).ThenBy(x => x.Name, StringComparer.Ordinal).FirstOrDefault();
        var table = new List<MeasuredOption>();
        foreach (var c in all.OrderBy(c => LeverLadder.Rank(c.Lever)).ThenBy(c => c.Name, StringComparer.Ordinal))
        {
            var s = SimplerOf(c);
            var gain = s is null ? null : G(c, s);
            string status, note;
            if (c == winner) (status, note) = ("primary", "chosen");
            else if (c.Excluded is { } why) (status, note) = ("excluded", why);
            else if (contenders.Contains(c))
                (status, note) = ("tie", SameCost(c, winner) ? "as good and as cheap; the simpler lever wins" : "as good as the best; dearer at this volume");
            else (status, note) = ("worse", $"'{best.Name}' is {G(best, c).Text} better");
            if (c.DerivedNote is { } d) note = $"{d}; {note}";
            var q = c.Row.Quality!.Value;
            var ci = c.Row.Accuracy is not null ? Intervals.Wilson(q, c.Row.Items) : null;
            table.Add(new MeasuredOption
            {
                Recipe = c.Name, Lever = c.Lever, Evidence = c.Derived ? null : c.Row, Quality = q, QualityLow = ci?.Low, QualityHigh = ci?.High,
                CostPer1kUsd = c.CostPer1k, MonthlyUsd = c.CostPer1k is { } k ? k * _r / 1000 : null, Tco12Usd = Tco(c),
                SimplerRecipe = s?.Name, GainVsSimpler = gain, Status = status, Note = note,
            });
        }
        Table = table;
        Simpler = SimplerOf(winner);
        Gain = Simpler is null ? null : G(winner, Simpler);
        Reason = ReasonText();
    }

    private string ReasonText()
    {
        var w = Winner!;
        if (w.Lever == LeverKind.Baseline)
            return Best != w && BestOverWinner is { } b
                ? $"no LLM needed: the best LLM recipe, '{Best!.Name}', gains only {b.Text} over it, no demonstrated gain"
                : "no LLM needed: no LLM recipe measured better";
        if (Gain is { Demonstrated: true } g)
            return $"{g.Text} over the best simpler option, '{Simpler!.Name}' ({LeverKinds.Name(Simpler.Lever)})";
        if (Gain is { } g2)
        {
            var ratio = Tco(Simpler!) is { } st && Tco(w) is { } wt && wt > 0 && st > wt ? $", {Times(st / wt)} cheaper at this volume" : ", no dearer at this volume";
            return $"as good as '{Simpler!.Name}' ({LeverKinds.Name(Simpler.Lever)}: {g2.Text}, no demonstrated difference){ratio}";
        }
        return Best != w && BestOverWinner is { } b2
            ? $"'{Best!.Name}' ({LeverKinds.Name(Best.Lever)}) shows no demonstrated gain over it ({b2.Text}) and costs more"
            : "the best measured, and the simplest";
    }

    private static string Times(double x) => x >= 10 ? $"{x.ToString("0", CultureInfo.InvariantCulture)}×" : $"{x.ToString("0.#", CultureInfo.InvariantCulture)}×";
}
