using System.Text.Json;

namespace Lever.Server.Tests;

/// <summary>
/// Lever.Server depends on Core, Providers and ASP.NET Core only: a server that fronts a hosted model or a llama.cpp
/// process must not restore libtorch (hundreds of MB) or any other native ML runtime. Read from the restore assets.
/// </summary>
public class ServerDependencyTests
{
    private static readonly string[] Forbidden = ["TorchSharp", "libtorch", "Microsoft.ML", "LLamaSharp", "Microsoft.ML.OnnxRuntime", "OnnxRuntime", "SentenceTransformers"];

    [Fact]
    public void The_servers_restore_assets_hold_no_native_ML_package_and_no_heavy_Lever_project()
    {
        var repo = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repo, "Lever.slnx"))) repo = Path.GetDirectoryName(repo) ?? throw new InvalidOperationException("Lever.slnx not found above the test binaries");
        var assets = Path.Combine(repo, "src", "Lever.Server", "obj", "project.assets.json");
        Assert.True(File.Exists(assets), $"{assets} is missing: build the solution first");
        using var doc = JsonDocument.Parse(File.ReadAllText(assets));
        var libraries = doc.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name.Split('/')[0]).ToList();
        Assert.Contains("Lever.Providers", libraries);
        Assert.DoesNotContain(libraries, l => Forbidden.Any(f => l.StartsWith(f, StringComparison.OrdinalIgnoreCase)));
        string[] heavy = ["Lever.Engine", "Lever.Training", "Lever.Retrieval", "Lever.Advisor", "Lever.Lab", "Lever.Evals", "Lever.Providers.Engine", "Lever.Providers.Embeddings"];
        Assert.Empty(libraries.Intersect(heavy));
    }
}
