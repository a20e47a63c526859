using System.Runtime.CompilerServices;

namespace Lever.Training.Tests;

internal static class TestSetup
{
    /// <summary>Tiny models gain nothing from libtorch's thread pool; on a shared CI box threads only contend.</summary>
    [ModuleInitializer]
    internal static void OneThread() => TorchSharp.torch.set_num_threads(1);
}
