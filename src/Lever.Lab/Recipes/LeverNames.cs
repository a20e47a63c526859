namespace Lever.Lab.Recipes;

/// <summary>The lever a recipe pulls, in the advisor's vocabulary (plus <see cref="Baseline"/> for non-LLM rows).</summary>
public static class LeverNames
{
    /// <summary>Prompting only (zero-shot or fixed few-shot).</summary>
    public const string Prompt = "prompt";

    /// <summary>Prompting with a cached shared prefix.</summary>
    public const string PromptCaching = "prompt_caching";

    /// <summary>Retrieval: context or examples fetched per request.</summary>
    public const string Rag = "rag";

    /// <summary>LoRA adapter on a frozen base.</summary>
    public const string FineTuneLora = "fine_tune_lora";

    /// <summary>LoRA on a 4-bit quantized base.</summary>
    public const string FineTuneQlora = "fine_tune_qlora";

    /// <summary>Every weight trained.</summary>
    public const string FineTuneFull = "fine_tune_full";

    /// <summary>A smaller student trained on a teacher's labels.</summary>
    public const string Distill = "distill";

    /// <summary>Further pre-training on unlabelled domain text.</summary>
    public const string ContinuedPretraining = "continued_pretraining";

    /// <summary>A model trained from nothing.</summary>
    public const string TrainFromScratch = "train_from_scratch";

    /// <summary>The classical, non-LLM row: does the task need an LLM at all?</summary>
    public const string Baseline = "baseline";
}
