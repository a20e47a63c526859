namespace Lever.Training.Lora;

/// <summary>
/// LoRA hyperparameters (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models"; rsLoRA: Kalajdzievski
/// 2023). Field names follow PEFT's LoraConfig so adapter_config.json round-trips.
/// </summary>
public sealed record LoraOptions
{
    /// <summary>The seven Llama projections, PEFT's usual choice for full coverage.</summary>
    public static readonly IReadOnlyList<string> DefaultTargets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>Rank r of the update B·A.</summary>
    public int Rank { get; init; } = 8;

    /// <summary>lora_alpha: the update is scaled by alpha/r (alpha/√r with rsLoRA).</summary>
    public double Alpha { get; init; } = 16;

    /// <summary>Dropout on the adapter's input (training only).</summary>
    public double Dropout { get; init; } = 0.05;

    /// <summary>Module names to wrap, e.g. q_proj; short forms q, k, v, o, gate, up, down are accepted.</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = DefaultTargets;

    /// <summary>Rank-stabilised scaling alpha/√r, which keeps higher ranks learning.</summary>
    public bool UseRsLora { get; init; }

    /// <summary>The factor applied to B·A·x.</summary>
    public double Scaling => UseRsLora ? Alpha / Math.Sqrt(Rank) : Alpha / Rank;

    /// <summary>Target names in their full (module) form: "q" becomes "q_proj".</summary>
    public IReadOnlyList<string> NormalizedTargets => TargetModules.Select(Normalize).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Full module name for a short target name.</summary>
    public static string Normalize(string target) => target.Trim() switch
    {
        "q" or "k" or "v" or "o" or "gate" or "up" or "down" => target.Trim() + "_proj",
        var t => t,
    };

    /// <summary>Checks the values; throws a user error naming the flag.</summary>
    public void Validate()
    {
        if (Rank < 1) throw new Core.LeverUserException($"--lora-r {Rank}: the rank must be at least 1", "typical ranks are 8, 16 or 32");
        if (Alpha <= 0) throw new Core.LeverUserException($"--lora-alpha {Alpha}: must be positive", "a common choice is alpha = 2·r");
        if (Dropout is < 0 or >= 1) throw new Core.LeverUserException($"--lora-dropout {Dropout}: must be in [0, 1)", "0.05 is common");
        if (TargetModules.Count == 0) throw new Core.LeverUserException("--lora-targets: no target modules", "e.g. q,k,v,o,gate,up,down");
    }
}
