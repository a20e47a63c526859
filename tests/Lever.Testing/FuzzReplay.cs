using System.Diagnostics;
using Xunit;

namespace Lever.Testing;

/// <summary>
/// The fuzzing contract as a test assertion: an input ends in success or in the library's user error
/// (<typeparamref name="TUserError"/>, e.g. LeverUserException) within a time bound — never another exception or a hang.
/// </summary>
public static class FuzzReplay
{
    /// <summary>
    /// The hang detector of the CI replay. docs/RELIABILITY.md's contract is 5 s per input on an idle machine (the fuzz
    /// runs check it); CI shares 2 cores with other builds, so a replay only fails past 30 s, which no slow-but-bounded
    /// input reaches and every real hang does.
    /// </summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="parse"/>; returns "ok" or "user error", and fails the test on anything else.</summary>
    public static string Handled<TUserError>(string label, Action parse, TimeSpan? bound = null) where TUserError : Exception
    {
        ArgumentNullException.ThrowIfNull(parse);
        var limit = bound ?? Bound;
        var watch = Stopwatch.StartNew();
        var task = Task.Run(() =>
        {
            try
            {
                parse();
                return ("ok", (Exception?)null);
            }
            catch (TUserError ex) when (ex is not null)
            {
                return ("user error", null);
            }
            catch (Exception ex)
            {
                return ("crash", ex);
            }
        });
        if (!task.Wait(limit)) Assert.Fail($"{label}: no answer within {limit.TotalSeconds:F0} s (a hang)");
        var (outcome, error) = task.Result;
        if (error is not null) Assert.Fail($"{label}: {error.GetType().Name} instead of a user error: {error.Message}\n{error.StackTrace}");
        Assert.True(watch.Elapsed <= limit, $"{label}: took {watch.Elapsed.TotalSeconds:F1} s, over {limit.TotalSeconds:F0} s");
        return outcome;
    }

    /// <summary>Like <see cref="Handled{TUserError}"/> but counts instead of failing: "ok", "user error", "crash: Type: message" or "hang".</summary>
    public static string Classify<TUserError>(Action parse, TimeSpan? bound = null) where TUserError : Exception
    {
        ArgumentNullException.ThrowIfNull(parse);
        var task = Task.Run(() =>
        {
            try
            {
                parse();
                return "ok";
            }
            catch (TUserError)
            {
                return "user error";
            }
            catch (Exception ex)
            {
                return $"crash: {ex.GetType().Name}: {ex.Message.Split('\n')[0]} at {ex.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}";
            }
        });
        return task.Wait(bound ?? Bound) ? task.Result : "hang";
    }
}
