namespace Lever.Core.Levers;

/// <summary>
/// The one lever vocabulary of Lever: what a recipe pulls, what the advisor recommends, what every report and file
/// names (snake_case, <see cref="LeverKinds.Name"/>). <see cref="Baseline"/> is the reference row (a classical model,
/// no LLM), not a lever to pull.
/// </summary>
public enum LeverKind
{
    /// <summary>The classical, non-LLM reference: does the task need an LLM at all?</summary>
    Baseline,
    /// <summary>Prompt engineering (instructions, few-shot, knowledge in the system prompt).</summary>
    Prompt,
    /// <summary>Prompting with the shared prefix served from the provider's prompt cache.</summary>
    PromptCaching,
    /// <summary>Retrieval-augmented generation: context or examples fetched per request.</summary>
    Rag,
    /// <summary>LoRA adapter fine-tuning on a frozen base (hosted fine-tuning APIs count here).</summary>
    FineTuneLora,
    /// <summary>LoRA on a 4-bit quantized base.</summary>
    FineTuneQlora,
    /// <summary>Every weight updated.</summary>
    FineTuneFull,
    /// <summary>A large model labels data, a small one is fine-tuned to imitate it.</summary>
    Distill,
    /// <summary>Further pre-training on an unlabeled domain corpus.</summary>
    ContinuedPretraining,
    /// <summary>A new model from random weights.</summary>
    TrainFromScratch,
    /// <summary>RAG for facts plus fine-tuning for form.</summary>
    Hybrid,
}
