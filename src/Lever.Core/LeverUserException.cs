namespace Lever.Core;

/// <summary>
/// A problem with what the user gave Lever (a file, a flag, a config field), as opposed to a bug.
/// The CLI prints <see cref="Exception.Message"/> and <see cref="Hint"/> on one line each and exits with code 2.
/// </summary>
public class LeverUserException : Exception
{
    /// <summary>Creates the error; <paramref name="hint"/> says what to do next.</summary>
    public LeverUserException(string message, string? hint = null, Exception? inner = null)
        : base(message, inner) => Hint = hint;

    /// <summary>What the user can do about it, or null.</summary>
    public string? Hint { get; }

    /// <summary>The process exit code for user errors.</summary>
    public const int ExitCode = 2;
}
