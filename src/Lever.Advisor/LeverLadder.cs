using Lever.Core.Levers;

namespace Lever.Advisor;

/// <summary>
/// The order of simplicity the advisor measures every gain against: baseline &lt; prompt &lt; prompt caching &lt; RAG &lt;
/// LoRA = QLoRA &lt; full &lt; hybrid &lt; distill = CPT &lt; from scratch. A lever is worth its complexity only when it beats the
/// best option of the simpler ranks; at equal cost the simpler one wins.
/// </summary>
public static class LeverLadder
{
    /// <summary>The ladder as text, for rationale strings and docs.</summary>
    public const string Text = "baseline < prompt < prompt_caching < rag < fine_tune_lora = fine_tune_qlora < fine_tune_full < hybrid < distill = continued_pretraining < train_from_scratch";

    /// <summary>The rank of <paramref name="lever"/> (0 = simplest); levers of equal rank are equally simple.</summary>
    public static int Rank(LeverKind lever) => lever switch
    {
        LeverKind.Baseline => 0,
        LeverKind.Prompt => 1,
        LeverKind.PromptCaching => 2,
        LeverKind.Rag => 3,
        LeverKind.FineTuneLora or LeverKind.FineTuneQlora => 4,
        LeverKind.FineTuneFull => 5,
        LeverKind.Hybrid => 6,
        LeverKind.Distill or LeverKind.ContinuedPretraining => 7,
        _ => 8,
    };

    /// <summary>True for the levers that change weights (fine-tuning, distillation, pre-training, hybrid).</summary>
    public static bool ChangesWeights(LeverKind lever) => Rank(lever) >= 4;
}
