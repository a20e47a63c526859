namespace Lever.Advisor;

/// <summary>How heavy the audit/regulatory burden is.</summary>
public enum ComplianceLevel
{
    /// <summary>Little or none.</summary>
    Low,
    /// <summary>Normal enterprise controls.</summary>
    Moderate,
    /// <summary>Regulated: every model change needs documentation and audit.</summary>
    High,
}
