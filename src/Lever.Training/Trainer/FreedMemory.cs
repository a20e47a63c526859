using System.Runtime.InteropServices;

namespace Lever.Training.Trainer;

/// <summary>
/// Makes glibc hand freed blocks of 64 KiB or more straight back to the OS, as <c>MALLOC_MMAP_THRESHOLD_=65536</c> does
/// at process start (glibc reads that variable only then, so <c>lever train</c> calls mallopt instead). Without it the
/// heap keeps what the backward freed and the process's resident memory stays at its high-water mark.
/// </summary>
internal static partial class FreedMemory
{
    private const int MmapThreshold = -3;   // M_MMAP_THRESHOLD in malloc.h

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int param, int value);

    /// <summary>Sets the threshold; false where there is no glibc (musl, macOS, Windows) or glibc refused it.</summary>
    public static bool ReturnToOs()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return Mallopt(MmapThreshold, 65536) == 1;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }
}
