using System.Diagnostics;

namespace Lever.Registry.Internal;

/// <summary>
/// Process tests' kill switch: when <c>LEVER_REGISTRY_CRASH_AT</c> names a point (before-commit, after-commit,
/// before-fsync, after-fsync), the process kills itself there with SIGKILL, as kill -9 would.
/// </summary>
internal static class CrashPoint
{
    public const string Variable = "LEVER_REGISTRY_CRASH_AT";

    private static readonly string? Armed = Environment.GetEnvironmentVariable(Variable);

    public static void At(string point)
    {
        if (Armed is null || !string.Equals(Armed, point, StringComparison.Ordinal)) return;
        Console.Out.Flush();
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
    }
}
