using Lever.Core.Levers;

namespace Lever.Lab.Reporting;

/// <summary>One measured recipe in the lab rule's recommendation (<see cref="FrontierRecommender"/>), cheapest first.</summary>
/// <param name="Lever">The lever it pulls.</param>
/// <param name="Recipe">Recipe name.</param>
/// <param name="Accuracy">Test accuracy, 0–1.</param>
/// <param name="MacroF1">Test macro-F1, 0–1.</param>
/// <param name="CostPer1kUsd">Cost per 1,000 answers at the declared volume.</param>
/// <param name="MonthlyUsd">Cost per month at the declared volume.</param>
/// <param name="OneTimeUsd">One-time training cost.</param>
/// <param name="OnFrontier">No other recipe is at least as accurate and at most as costly (and better in one).</param>
public sealed record FrontierOption(LeverKind Lever, string Recipe, double Accuracy, double MacroF1, double CostPer1kUsd, double MonthlyUsd, double OneTimeUsd, bool OnFrontier);
