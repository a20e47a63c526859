using System.CommandLine;
using System.Diagnostics;
using System.Numerics;
using System.Reflection;
using System.Text.Json;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Lever.Core;
using Lever.Core.Config;
using Lever.Engine;
using Spectre.Console;

namespace Lever.Cli.Commands;

/// <summary><c>lever doctor</c>: is this machine ready for Lever, and if not, what to do.</summary>
internal sealed class DoctorCommand : ILeverCommand
{
    /// <summary>Below this much free disk in the workspace, training checkpoints and indexes will not fit.</summary>
    private const long MinFreeBytes = 1L << 30;

    public Command Create()
    {
        var nativeDir = new Option<string?>("--native-dir") { Description = $"load libtorch from this folder instead of the build output (also ${NativeBackend.NativeDirVariable})" };
        var workspace = new Option<string?>("--workspace", "-w") { Description = "workspace folder (default: current directory)" };
        var probeOnly = new Option<bool>("--probe-native") { Hidden = true, Description = "internal: run only the libtorch probe and print it as JSON" };
        var probeLlama = new Option<bool>("--probe-llamacpp") { Hidden = true, Description = "internal: load llama.cpp and print what was loaded as JSON" };
        var command = new Command("doctor", "Check that this machine can run Lever: .NET, CPU, libtorch, providers, disk.") { nativeDir, workspace, probeOnly, probeLlama };
        command.SetAction(parse => parse.GetValue(probeLlama) ? LlamaCppDoctor.ProbeInThisProcess()
            : parse.GetValue(probeOnly)
            ? ProbeInThisProcess(parse.GetValue(nativeDir))
            : Run(parse.GetValue(nativeDir), parse.GetValue(workspace)));
        return command;
    }

    private static int Run(string? nativeDir, string? workspaceDir)
    {
        var ws = Workspace.Open(workspaceDir);
        var table = new Table().Border(TableBorder.Rounded).AddColumns("check", "status", "detail");
        string? failure = null;

        table.AddRow(".NET", Ok(), Markup.Escape($"{RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})"));
        table.AddRow("CPU", Ok(), Markup.Escape($"{Environment.ProcessorCount} cores; SIMD: {SimdFeatures()}"));

        var probe = ProbeInChildProcess(nativeDir);
        table.AddRow("libtorch", probe.Ok ? Ok() : Bad(), Markup.Escape(probe.Ok ? $"{probe.Detail} (from {probe.NativeDir})" : probe.Detail));
        if (!probe.Ok) failure ??= $"libtorch: {probe.Detail}. Fix: {probe.Fix}";

        var llama = LlamaCppDoctor.ProbeInChildProcess();
        table.AddRow("llama.cpp", llama.Ok ? Ok() : Bad(), Markup.Escape(llama.Detail));
        if (!llama.Ok) failure ??= $"llama.cpp: {llama.Detail}. Fix: the LLamaSharp.Backend.Cpu native libraries are missing or incompatible; rebuild with ./lever";

        try
        {
            var config = LeverConfig.Load(ws.ConfigPath);
            var providers = config.Section<Dictionary<string, ProviderOptions>>("providers") ?? [];
            if (providers.Count == 0)
                table.AddRow("providers", Info(), Markup.Escape($"none configured in {ws.ConfigPath}: local engine only"));
            foreach (var (name, p) in providers)
            {
                var keyState = p.ApiKeyEnv is null ? "no key needed" : Environment.GetEnvironmentVariable(p.ApiKeyEnv) is { Length: > 0 } ? $"key in ${p.ApiKeyEnv}" : $"${p.ApiKeyEnv} is not set";
                table.AddRow($"provider {Markup.Escape(name)}", Info(), Markup.Escape($"{p.Kind} {p.BaseUrl} model={p.Model}; {keyState}"));
            }
        }
        catch (LeverUserException ex)
        {
            table.AddRow("providers", Bad(), Markup.Escape(ex.Message));
            failure ??= $"lever.yaml: {ex.Message}. Fix: {ex.Hint}";
        }

        var free = FreeBytes(ws.Root);
        var freeOk = free >= MinFreeBytes;
        table.AddRow("disk", freeOk ? Ok() : Bad(), Markup.Escape($"{free / (1024.0 * 1024 * 1024):F1} GiB free in {ws.Root}"));
        if (!freeOk) failure ??= $"disk: only {free / (1024.0 * 1024):F0} MiB free in {ws.Root}. Fix: free at least 1 GiB there";

        AnsiConsole.Write(table);
        if (failure is null)
        {
            AnsiConsole.MarkupLine("[green]Lever is ready.[/]");
            return 0;
        }
        Console.Error.WriteLine($"doctor: {failure}");
        return LeverUserException.ExitCode;
    }

    private static int ProbeInThisProcess(string? nativeDir)
    {
        var probe = NativeBackend.Probe(nativeDir);
        Console.WriteLine(JsonSerializer.Serialize(probe));
        return probe.Ok ? 0 : 3;
    }

    /// <summary>
    /// Loading a damaged native library can kill the process outright (SIGBUS on a truncated file), so the
    /// probe runs in a child process and a crash there becomes a reported failure here.
    /// </summary>
    private static BackendProbe ProbeInChildProcess(string? nativeDir)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var self = Environment.ProcessPath!;
        start.FileName = self;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        start.ArgumentList.Add("doctor");
        start.ArgumentList.Add("--probe-native");
        if (nativeDir is not null)
        {
            start.ArgumentList.Add("--native-dir");
            start.ArgumentList.Add(nativeDir);
        }
        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        if (!child.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            child.Kill(entireProcessTree: true);
            return new BackendProbe(false, nativeDir ?? NativeBackend.DefaultNativeDir, "libtorch check hung for 2 minutes", "run `lever doctor` again; if it persists, rebuild with ./lever", TimeSpan.Zero);
        }
        var line = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        if (line is not null && JsonSerializer.Deserialize<BackendProbe>(line) is { } probe) return probe;
        var signal = child.ExitCode > 128 ? $" (killed by signal {child.ExitCode - 128})" : $" (exit code {child.ExitCode})";
        var why = stderr.Result.ReplaceLineEndings(" ").Trim();
        return new BackendProbe(false, nativeDir ?? NativeBackend.DefaultNativeDir,
            $"the process crashed while loading libtorch{signal}{(why.Length > 0 ? ": " + why[..Math.Min(200, why.Length)] : "")}",
            "the native libraries are damaged or incompatible: rebuild with ./lever (see docs/NATIVE.md)", TimeSpan.Zero);
    }

    private static string SimdFeatures()
    {
        var features = new List<string> { $"Vector<T> {Vector<byte>.Count * 8}-bit{(Vector.IsHardwareAccelerated ? "" : " (software)")}" };
        if (Avx2.IsSupported) features.Add("AVX2");
        if (Fma.IsSupported) features.Add("FMA");
        if (Avx512F.IsSupported) features.Add("AVX-512F");
        if (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) features.Add("NEON");
        return string.Join(", ", features);
    }

    private static long FreeBytes(string path)
    {
        try
        {
            return new DriveInfo(Path.GetPathRoot(Path.GetFullPath(path)) ?? "/").AvailableFreeSpace;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string Ok() => "[green]ok[/]";
    private static string Bad() => "[red]FAIL[/]";
    private static string Info() => "[blue]info[/]";
}
