namespace Lever.Engine.Tests;

/// <summary>
/// Tests that seed libtorch's global generator (torch.random.manual_seed) run alone: any other test building an
/// nn.Linear at the same time draws from that generator and would change their numbers.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRngCollection
{
    public const string Name = "global torch RNG";
}
