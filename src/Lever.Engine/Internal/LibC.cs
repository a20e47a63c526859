using System.Runtime.InteropServices;

namespace Lever.Engine.Internal;

/// <summary>The one libc call the engine makes directly: madvise, to drop mapped file pages it has finished reading.</summary>
internal static partial class LibC
{
    /// <summary>MADV_DONTNEED: the pages leave this process; a file-backed mapping re-reads them from the file if touched again.</summary>
    public const int MadvDontNeed = 4;

    [LibraryImport("libc", EntryPoint = "madvise")]
    public static partial int Madvise(nint address, nuint length, int advice);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrimNative(nuint pad);

    /// <summary>
    /// Hands the heap's free pages back to the OS (glibc). A load that allocates and frees one big temporary per tensor
    /// otherwise leaves them counted in the process's memory. No-op where there is no glibc (musl, macOS, Windows).
    /// </summary>
    public static void MallocTrim()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            _ = MallocTrimNative(0);
        }
        catch (EntryPointNotFoundException)
        {
        }
    }
}
