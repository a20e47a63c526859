using System.Diagnostics;

namespace Lever.Testing;

/// <summary>Runs the built lever CLI as a child process, as a user would, and captures its output.</summary>
public static class LeverProcess
{
    /// <summary>The exit code and everything the process wrote.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs <c>lever.dll</c> from the test's output folder in <paramref name="workingDirectory"/>; five minutes at most.</summary>
    public static Result Run(string workingDirectory, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "lever.dll");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["COLUMNS"] = "200";
        // A developer's exported key must not turn a test run into calls to OpenAI (lever lab adds hosted rows then).
        start.Environment.Remove("OPENAI_API_KEY");
        start.Environment.Remove("OPENAI_BASE_URL");
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException(string.Join(' ', args)); }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
