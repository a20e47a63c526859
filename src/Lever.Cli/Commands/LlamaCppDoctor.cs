using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Lever.Providers.LlamaCpp;

namespace Lever.Cli.Commands;

/// <summary>
/// The doctor's llama.cpp row: the backend, its llama.cpp and ggml build, and the CPU variant LLamaSharp loaded. Like
/// the libtorch probe it loads the native library in a child process, so a library that aborts on load is a reported
/// failure, not a dead doctor.
/// </summary>
internal static class LlamaCppDoctor
{
    public static int ProbeInThisProcess()
    {
        Console.WriteLine(JsonSerializer.Serialize(LlamaCppInfo.Probe()));
        return 0;
    }

    public static (bool Ok, string Detail) ProbeInChildProcess()
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, FileName = Environment.ProcessPath! };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        start.ArgumentList.Add("doctor");
        start.ArgumentList.Add("--probe-llamacpp");
        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        if (!child.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            child.Kill(entireProcessTree: true);
            return (false, "loading llama.cpp hung for 2 minutes");
        }
        var line = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        if (child.ExitCode == 0 && line is not null && JsonSerializer.Deserialize<LlamaCppInfo>(line) is { } info)
            return (true, $"{info.Backend}, llama.cpp {info.LlamaCppCommit[..12]}, {info.Ggml ?? "ggml build unknown"}; CPU variant {info.Variant} ({info.Library}); {info.SystemInfo}");
        var why = stderr.Result.ReplaceLineEndings(" ").Trim();
        return (false, $"the process failed while loading llama.cpp (exit code {child.ExitCode}){(why.Length > 0 ? ": " + why[..Math.Min(200, why.Length)] : "")}");
    }
}
