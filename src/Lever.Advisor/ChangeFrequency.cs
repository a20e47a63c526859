namespace Lever.Advisor;

/// <summary>How often the knowledge the answers need changes.</summary>
public enum ChangeFrequency
{
    /// <summary>Fixed.</summary>
    Never,
    /// <summary>About once a year.</summary>
    Yearly,
    /// <summary>About once a month.</summary>
    Monthly,
    /// <summary>About once a week.</summary>
    Weekly,
    /// <summary>Every day.</summary>
    Daily,
    /// <summary>Every hour.</summary>
    Hourly,
}
