namespace Lever.Advisor;

/// <summary>Where the model may run.</summary>
public enum Deployment
{
    /// <summary>Hosted APIs are allowed.</summary>
    Cloud,
    /// <summary>Data must stay on the team's own machines (or in its own region/residency).</summary>
    OnPrem,
}
