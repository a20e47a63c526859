namespace Lever.Lab.Reporting;

/// <summary>
/// What a recipe costs per answer at the declared volume. Local compute is priced by measured time:
/// <code>
/// answer   = mean_latency_s × answer_cores × cpu_hour_usd / 3600   (+ provider-billed cost per answer)
/// training = (train_seconds × train_cores × cpu_hour_usd / 3600 + provider-billed training) / (amortize_months × requests_per_month)
/// cost_per_1k = 1000 × (answer + training);   monthly = cost_per_1k × requests_per_month / 1000
/// </code>
/// The mean latency, not the median, because a monthly bill is a sum.
/// </summary>
/// <param name="AnswerPer1kUsd">Answer-time cost per 1,000 answers.</param>
/// <param name="TrainingPer1kUsd">Training cost amortized per 1,000 answers.</param>
/// <param name="TrainingUsd">One-time training cost.</param>
/// <param name="RequestsPerMonth">The volume the cost is computed at.</param>
public sealed record LabCost(double AnswerPer1kUsd, double TrainingPer1kUsd, double TrainingUsd, double RequestsPerMonth)
{
    /// <summary>Total cost per 1,000 answers.</summary>
    public double Per1kUsd => AnswerPer1kUsd + TrainingPer1kUsd;

    /// <summary>Cost per month at <see cref="RequestsPerMonth"/>.</summary>
    public double MonthlyUsd => Per1kUsd * RequestsPerMonth / 1000.0;

    /// <summary>Applies the formula above; <paramref name="trainingBilledUsd"/> is what training paid a provider (a hosted teacher's labels).</summary>
    public static LabCost Compute(double meanLatencyMs, int answerCores, double? billedPerAnswerUsd, double trainSeconds, int trainCores,
        LabComputeOptions compute, double requestsPerMonth, double trainingBilledUsd = 0)
    {
        var perCoreSecond = compute.CpuHourUsd / 3600.0;
        var answer = meanLatencyMs / 1000.0 * answerCores * perCoreSecond + (billedPerAnswerUsd ?? 0);
        var training = trainSeconds * trainCores * perCoreSecond + trainingBilledUsd;
        var amortizedOver = Math.Max(1, compute.AmortizeMonths) * requestsPerMonth;
        return new LabCost(1000 * answer, amortizedOver > 0 ? 1000 * training / amortizedOver : 0, training, requestsPerMonth);
    }
}
