namespace Lever.Registry;

/// <summary>The outcome of <see cref="AuditLog.Verify"/>: intact, or the first broken line (1-based) and what is wrong with it.</summary>
public sealed record AuditVerification(bool Intact, int Lines, int? BrokenLine, string? Problem)
{
    /// <summary>An intact chain of <paramref name="lines"/> lines.</summary>
    public static AuditVerification Ok(int lines) => new(true, lines, null, null);

    /// <summary>A chain broken at <paramref name="line"/>.</summary>
    public static AuditVerification Broken(int lines, int line, string problem) => new(false, lines, line, problem);
}
