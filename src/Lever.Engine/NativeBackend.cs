using System.Diagnostics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Lever.Engine;

/// <summary>Outcome of <see cref="NativeBackend.Probe"/>.</summary>
/// <param name="Ok">True when libtorch loaded and the matmul + backward check gave the right gradient.</param>
/// <param name="NativeDir">The folder the native libraries were loaded from.</param>
/// <param name="Detail">Version and timing on success; the reason on failure.</param>
/// <param name="Fix">What to do about a failure, or null.</param>
/// <param name="Elapsed">Time taken by the tensor check.</param>
public sealed record BackendProbe(bool Ok, string NativeDir, string Detail, string? Fix, TimeSpan Elapsed);

/// <summary>
/// Loads libtorch (through TorchSharp) and proves it computes: a small matmul and a backward pass whose
/// gradient is checked against the closed form. Used by <c>lever doctor</c> and by anything that wants to
/// fail early with a clear message instead of a <see cref="DllNotFoundException"/> deep in a model.
/// </summary>
public static class NativeBackend
{
    /// <summary>Environment variable that points Lever at another native folder (for diagnosis).</summary>
    public const string NativeDirVariable = "LEVER_TORCH_NATIVE_DIR";

    // Load order matters: each library's DT_NEEDED entries must already be resolvable.
    private static readonly string[] Libraries = ["libgomp-98b21ff3.so.1", "libc10.so", "libtorch_cpu.so", "libtorch.so", "libLibTorchSharp.so"];

    /// <summary>The folder TorchSharp loads from in this build output.</summary>
    public static string DefaultNativeDir =>
        Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier.StartsWith("linux", StringComparison.Ordinal) ? "linux-x64" : RuntimeInformation.RuntimeIdentifier, "native");

    /// <summary>Loads the native libraries from <paramref name="nativeDir"/> (default: the build output's) and runs the check.</summary>
    public static BackendProbe Probe(string? nativeDir = null)
    {
        var dir = nativeDir ?? Environment.GetEnvironmentVariable(NativeDirVariable) ?? DefaultNativeDir;
        const string rebuildFix = "run ./lever again from the repository root (the build adapts libtorch to this platform; see docs/NATIVE.md)";
        if (!Directory.Exists(dir))
            return new BackendProbe(false, dir, $"native folder not found: {dir}", rebuildFix, TimeSpan.Zero);

        if (OperatingSystem.IsLinux())
        {
            foreach (var name in Libraries)
            {
                var path = Path.Combine(dir, name);
                if (!File.Exists(path))
                {
                    if (name.StartsWith("libgomp", StringComparison.Ordinal)) continue;
                    return new BackendProbe(false, dir, $"{name} is missing from {dir}", rebuildFix, TimeSpan.Zero);
                }
                try
                {
                    NativeLibrary.Load(path);
                }
                catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
                {
                    return new BackendProbe(false, dir, $"{name} failed to load: {OneLine(ex.Message)}", rebuildFix, TimeSpan.Zero);
                }
            }
        }

        try
        {
            var watch = Stopwatch.StartNew();
            var gradientError = MatmulBackwardError();
            watch.Stop();
            if (gradientError > 1e-4)
                return new BackendProbe(false, dir, $"matmul backward gave a wrong gradient (max error {gradientError:g3})", "report this with `lever doctor` output", watch.Elapsed);
            return new BackendProbe(true, dir, $"libtorch {__version__}, {get_num_threads()} threads; 64x64 matmul + backward in {watch.Elapsed.TotalMilliseconds:F1} ms", null, watch.Elapsed);
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or ExternalException or NotSupportedException)
        {
            return new BackendProbe(false, dir, $"libtorch did not initialise: {OneLine(Innermost(ex).Message)}", rebuildFix, TimeSpan.Zero);
        }
    }

    /// <summary>
    /// y = sum(A·B); dy/dA = 1·Bᵀ, so every row of A.grad equals the row sums of B. Returns the max deviation.
    /// </summary>
    private static double MatmulBackwardError()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        var a = randn([64, 64], generator: generator).requires_grad_();
        var b = randn([64, 64], generator: generator);
        var y = a.matmul(b).sum();
        y.backward();
        var expected = b.sum(1).unsqueeze(0).expand(64, 64);
        return (a.grad!.detach() - expected).abs().max().item<float>();
    }

    private static Exception Innermost(Exception ex) => ex.InnerException is null ? ex : Innermost(ex.InnerException);

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
