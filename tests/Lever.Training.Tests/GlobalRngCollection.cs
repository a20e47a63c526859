namespace Lever.Training.Tests;

/// <summary>
/// Tests whose numbers depend on libtorch's global generator (dropout seeded with torch.random.manual_seed) run alone:
/// any test on another thread drawing from that generator (building an nn.Linear does) would change their masks.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRngCollection
{
    public const string Name = "global torch RNG";
}
