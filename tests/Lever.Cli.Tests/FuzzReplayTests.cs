using System.Diagnostics;
using Lever.Fuzz;

namespace Lever.Cli.Tests;

/// <summary>
/// The CI half of bench/fuzz: for every target, the committed seed corpus, every input that once crashed it
/// (bench/fuzz/crashes/TARGET/) and 40 fixed-seed mutations of each seed file must end in success or a user error,
/// each within <see cref="FuzzReplay.Bound"/>. AFL++ itself runs only outside CI (bench/fuzz/run.sh).
/// </summary>
public sealed class FuzzReplayTests
{
    private const int Seed = 21;
    private const int MutantsPerSeed = 40;

    public static TheoryData<string> Targets() => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Corpus_crashes_and_seeded_mutations_end_in_success_or_a_user_error(string name)
    {
        var target = FuzzTargets.Get(name);
        var corpus = Files("corpus", name);
        Assert.True(corpus.Count > 0, $"bench/fuzz/corpus/{name}/ has no seed file");
        Assert.True(File.Exists(Path.Combine(Root(), "bench", "fuzz", "dictionaries", name + ".dict")), $"bench/fuzz/dictionaries/{name}.dict is missing");

        // Seeds are valid files: they must parse, not merely be refused politely.
        foreach (var file in corpus) Assert.Equal("ok", Replay(target, Path.GetFileName(file), File.ReadAllBytes(file)));
        foreach (var file in Files("crashes", name)) Replay(target, "crash " + Path.GetFileName(file), File.ReadAllBytes(file));

        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in corpus)
        {
            var i = 0;
            foreach (var (kind, bytes) in SeededMutator.Mutants(File.ReadAllBytes(file), Seed, MutantsPerSeed))
            {
                var outcome = Replay(target, $"{Path.GetFileName(file)} mutant {i++} ({kind})", bytes);
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
        }
        Assert.Equal(corpus.Count * MutantsPerSeed, outcomes.Values.Sum());
    }

    [Fact]
    public void Every_target_has_a_corpus_folder_and_nothing_else_is_there()
    {
        var folders = Directory.GetDirectories(Path.Combine(Root(), "bench", "fuzz", "corpus")).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(FuzzTargets.All.Select(t => t.Name).Order(StringComparer.Ordinal), folders);
    }

    private static string Replay(FuzzTarget target, string label, byte[] input)
    {
        var watch = Stopwatch.StartNew();
        var run = Task.Run(() => target.Run(input));
        Assert.True(run.Wait(FuzzReplay.Bound), $"{target.Name} {label}: no answer within {FuzzReplay.Bound.TotalSeconds:F0} s (a hang)");
        var (outcome, crash) = run.Result;
        Assert.True(crash is null, $"{target.Name} {label}: {crash?.GetType().Name} instead of a user error: {crash}");
        Assert.True(watch.Elapsed <= FuzzReplay.Bound, $"{target.Name} {label}: {watch.Elapsed.TotalSeconds:F1} s");
        return outcome;
    }

    private static List<string> Files(string kind, string target)
    {
        var dir = Path.Combine(Root(), "bench", "fuzz", kind, target);
        return Directory.Exists(dir) ? [.. Directory.EnumerateFiles(dir).Where(f => Path.GetFileName(f) != "README.md").Order(StringComparer.Ordinal)] : [];
    }

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Lever.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
