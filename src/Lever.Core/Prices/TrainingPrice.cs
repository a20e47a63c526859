using System.Globalization;

namespace Lever.Core.Prices;

/// <summary>A hosted fine-tuning price in USD per 1M training tokens for one base model, and until when the offer is open.</summary>
/// <param name="Base">The base model id.</param>
/// <param name="PerMillionTokens">USD per 1M training tokens (tokens × epochs).</param>
/// <param name="Source">Where the figure was read.</param>
/// <param name="Date">When it was read.</param>
public sealed record TrainingPrice(string Base, double PerMillionTokens, string Source, string Date)
{
    /// <summary>The day from which the provider accepts no new fine-tuning jobs for this base (the offer is closed on and after it); null when no end is announced.</summary>
    public DateOnly? NewJobsUntil { get; init; }

    /// <summary>The day from which models fine-tuned from this base are no longer served (the base model's retirement); null when not announced.</summary>
    public DateOnly? InferenceUntil { get; init; }

    /// <summary>Where the availability dates come from, and when they were read; null when the book states none.</summary>
    public string? AvailabilitySource { get; init; }

    /// <summary>"training base (source, date)" for basis strings.</summary>
    public string Cite => $"training {Base} ({Source}, {Date})";

    /// <summary>
    /// Why this offer cannot be planned on <paramref name="today"/>, or null when it can: closed (no new jobs from
    /// <see cref="NewJobsUntil"/> on, or no inference from <see cref="InferenceUntil"/> on), or closing within
    /// <paramref name="minOpenDays"/> days — too soon for the retraining a fine-tuning plan needs.
    /// </summary>
    public string? Unavailable(DateOnly today, double minOpenDays)
    {
        static string D(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var src = AvailabilitySource is null ? "" : $" ({AvailabilitySource})";
        if (NewJobsUntil is { } jobs)
        {
            if (today >= jobs) return $"hosted fine-tuning of {Base} is closed: no new jobs from {D(jobs)}{src}";
            var days = jobs.DayNumber - today.DayNumber;
            if (days < minOpenDays) return $"hosted fine-tuning of {Base} is closing: no new jobs from {D(jobs)}, {days} days from {D(today)}, too soon to retrain on{src}";
        }
        if (InferenceUntil is { } serve)
        {
            if (today >= serve) return $"models fine-tuned from {Base} are no longer served from {D(serve)}{src}";
            var days = serve.DayNumber - today.DayNumber;
            if (days < minOpenDays) return $"models fine-tuned from {Base} stop being served on {D(serve)}, {days} days from {D(today)}{src}";
        }
        return null;
    }
}
