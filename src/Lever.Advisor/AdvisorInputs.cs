using Lever.Core.Prices;
using Lever.Core;
using Lever.Core.Config;

namespace Lever.Advisor;

/// <summary>
/// The I/O edge of the advisor: reads the workload, lever.yaml's <c>prices:</c>/<c>policy:</c>, a policy file
/// and the evidence files, so <see cref="Advisor.Advise(Workload, Lever.Core.Prices.PriceBook, AdvisorPolicy, IReadOnlyList{RecipeEvidence}, DateOnly)"/> itself stays a pure function.
/// </summary>
/// <param name="Workload">The workload.</param>
/// <param name="Prices">The price book with overrides applied.</param>
/// <param name="Policy">The policy with overrides applied.</param>
/// <param name="Evidence">Recipes read from the evidence files.</param>
public sealed record AdvisorInputs(Workload Workload, PriceBook Prices, AdvisorPolicy Policy, IReadOnlyList<RecipeEvidence> Evidence)
{
    /// <summary>
    /// Loads everything: <paramref name="workloadPath"/> (a workload file or a lever.yaml; null: the workspace's
    /// lever.yaml), the workspace's lever.yaml for prices and policy, and <paramref name="policyPath"/> over both.
    /// </summary>
    public static AdvisorInputs Load(string? workloadPath, string leverYamlPath, string? policyPath)
    {
        string path;
        if (workloadPath is not null) path = workloadPath;
        else if (File.Exists(leverYamlPath)) path = leverYamlPath;
        else throw new LeverUserException($"no --workload given and no {leverYamlPath}", "pass --workload FILE (see samples/workloads/) or add a workload: section to lever.yaml");
        var workload = WorkloadReader.Read(path);

        var prices = PriceBook.Default;
        var policy = AdvisorPolicy.Default;
        // The workload file may itself be a lever.yaml; otherwise the workspace's lever.yaml supplies prices and policy.
        var configPath = IsLeverYaml(path) ? path : File.Exists(leverYamlPath) ? leverYamlPath : null;
        if (configPath is not null)
        {
            var text = File.ReadAllText(configPath);
            prices = prices.WithOverrides(configPath, text);
            if (YamlNode.Parse(configPath, text, "field").Field("policy")?.Bind<string>() is { } p)
                policy = policy.WithFile(Path.IsPathRooted(p) ? p : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(configPath))!, p));
            // The one tolerance: lever.yaml's decision: section, read by the lab too (the old names fail with the rename).
            var config = LeverConfig.Parse(configPath, text);
            var decision = DecisionOptions.Load(config);
            if (config.SectionNode(DecisionOptions.SectionName)?.Field("tolerance_points") is not null)
                policy = policy.With("decision.tolerance_points", decision.TolerancePoints, $"{configPath} decision:");
        }
        if (policyPath is not null) policy = policy.WithFile(policyPath);

        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        // Read from the resolved path, cite by the path as the workload wrote it (short, and stable across machines).
        var evidence = workload.Evidence
            .SelectMany(e => EvidenceReader.Read(Path.IsPathRooted(e) ? e : Path.Combine(baseDir, e), e))
            .ToArray();
        return new AdvisorInputs(workload, prices, policy, evidence);
    }

    private static bool IsLeverYaml(string path)
    {
        var root = YamlNode.Parse(path, File.ReadAllText(path), "field");
        return !root.Has("task") && root.Has("workload");
    }
}
