using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Lever.Testing;

/// <summary>
/// Runs an oracle script (oracle/*.mjs, copied to the test output) under node with node-llama-cpp, the independent
/// llama.cpp reference, and parses the JSON it prints. Used by every test project that checks against llama.cpp.
/// </summary>
public static class LlamaCppOracle
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>Writes <paramref name="request"/> next to <paramref name="requestAnchor"/>, runs the script with <paramref name="args"/> + the request path.</summary>
    public static T Run<T>(string script, string requestAnchor, object request, params string[] args)
    {
        var requestPath = Path.ChangeExtension(requestAnchor, ".request.json");
        File.WriteAllText(requestPath, JsonSerializer.Serialize(request));
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "oracle", script));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.ArgumentList.Add(requestPath);
        start.Environment["LEVER_NODE_MODULES"] = NodeModules();
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        Assert.True(node.WaitForExit(TimeSpan.FromMinutes(2)), "llama.cpp oracle timed out");
        Assert.True(node.ExitCode == 0, $"llama.cpp oracle failed ({node.ExitCode}): {stderr.Result}");
        return JsonSerializer.Deserialize<T>(stdout.Result, Json)!;
    }

    /// <summary>artifacts/node/node_modules of the repository (installed by build/setup.sh --tests), or $LEVER_NODE_MODULES.</summary>
    private static string NodeModules()
    {
        if (Environment.GetEnvironmentVariable("LEVER_NODE_MODULES") is { Length: > 0 } fromEnv) return fromEnv;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Lever.slnx"))) continue;
            var modules = Path.Combine(dir.FullName, "artifacts", "node", "node_modules");
            Assert.True(Directory.Exists(Path.Combine(modules, "node-llama-cpp")), $"node-llama-cpp is not installed in {modules}: run build/setup.sh --tests");
            return modules;
        }
        throw new InvalidOperationException("repository root (Lever.slnx) not found above " + AppContext.BaseDirectory);
    }
}
