namespace Lever.Fuzz;

/// <summary>
/// One parser under fuzzing: <see cref="Parse"/> reads the input as Lever reads a user's file of that kind; an input
/// may end in success or in an exception <see cref="IsUserError"/> accepts (LeverUserException, a server 400), nothing else.
/// </summary>
public sealed record FuzzTarget(string Name, string Description, Action<byte[]> Parse, Func<Exception, bool> IsUserError)
{
    /// <summary>
    /// Run once before the fuzz loop, touching only uninstrumented code (instrumented code outside the loop has no AFL
    /// shared memory to write to): loads what the first input would otherwise pay for, such as libtorch's native libraries.
    /// </summary>
    public Action? Warm { get; init; }

    /// <summary>"ok", "user error" (with <paramref name="message"/>), or the exception that escaped (a crash).</summary>
    public (string Outcome, Exception? Crash) Run(byte[] input) => Run(input, out _);

    /// <summary>Like <see cref="Run(byte[])"/>, also giving the user error's message (null when none).</summary>
    public (string Outcome, Exception? Crash) Run(byte[] input, out string? message)
    {
        message = null;
        try
        {
            Parse(input);
            return ("ok", null);
        }
        catch (Exception ex) when (IsUserError(ex))
        {
            message = ex.Message;
            return ("user error", null);
        }
        catch (Exception ex)
        {
            return ("crash", ex);
        }
    }
}
