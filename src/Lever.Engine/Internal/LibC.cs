using System.Runtime.InteropServices;

namespace Lever.Engine.Internal;

/// <summary>The one libc call the engine makes directly: madvise, to drop mapped file pages it has finished reading.</summary>
internal static partial class LibC
{
    /// <summary>MADV_DONTNEED: the pages leave this process; a file-backed mapping re-reads them from the file if touched again.</summary>
    public const int MadvDontNeed = 4;

    [LibraryImport("libc", EntryPoint = "madvise")]
    public static partial int Madvise(nint address, nuint length, int advice);
}
