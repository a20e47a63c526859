using System.Diagnostics;

namespace Lever.Testing;

/// <summary>Runs the built lever CLI (lever.dll in the test's output folder) as a child process, as a user would.</summary>
public static class LeverProcess
{
    /// <summary>The exit code and everything the process wrote.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs lever in <paramref name="workingDirectory"/> to its end (five minutes at most) and captures its output.</summary>
    public static Result Run(string workingDirectory, params string[] args)
    {
        using var p = Process.Start(StartInfo(workingDirectory, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException(string.Join(' ', args)); }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>How to start lever with <paramref name="args"/>, output redirected, for a test that drives the process itself (kills it, reads it live).</summary>
    public static ProcessStartInfo StartInfo(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "lever.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["COLUMNS"] = "200";
        // A developer's exported key must not turn a test run into calls to OpenAI (lever lab adds hosted rows then).
        start.Environment.Remove("OPENAI_API_KEY");
        start.Environment.Remove("OPENAI_BASE_URL");
        return start;
    }
}
