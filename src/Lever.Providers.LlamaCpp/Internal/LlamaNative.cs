// One-time setup of LLamaSharp's native library: CPU only, llama.cpp's log routed here (its errors are kept for the
// message of a failed load, the rest dropped so the terminal shows Lever's output only).
using System.Runtime.InteropServices;
using LLama.Native;

namespace Lever.Providers.LlamaCpp.Internal;

internal static class LlamaNative
{
    private static readonly Lock Gate = new();
    private static readonly Queue<string> Errors = new();
    private static bool _loaded;

    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_loaded) return;
            try
            {
                NativeLibraryConfig.All.WithCuda(false).WithVulkan(false).WithAutoFallback(true).WithLogCallback(Log);
            }
            catch (InvalidOperationException)
            {
                // already loaded by someone else in this process: keep its configuration.
            }
            NativeApi.llama_max_devices();   // loads the library
            _loaded = true;
        }
    }

    /// <summary>The last errors llama.cpp logged (at most 8), oldest first, then forgets them.</summary>
    public static string TakeErrors()
    {
        lock (Errors)
        {
            var text = string.Join(" ", Errors.Select(e => e.Trim()).Where(e => e.Length > 0));
            Errors.Clear();
            return text;
        }
    }

    private static void Log(LLamaLogLevel level, string message)
    {
        if (level != LLamaLogLevel.Error) return;
        lock (Errors)
        {
            Errors.Enqueue(message);
            while (Errors.Count > 8) Errors.Dequeue();
        }
    }

    /// <summary>The path of a loaded native library whose file name is <paramref name="fileName"/>, from /proc/self/maps (Linux), or null.</summary>
    public static string? LoadedPath(string fileName)
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || !File.Exists("/proc/self/maps")) return null;
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0) continue;
            var path = line[slash..];
            if (Path.GetFileName(path) == fileName) return path;
        }
        return null;
    }
}
