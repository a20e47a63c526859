namespace Lever.Advisor;

/// <summary>The levers the advisor can recommend; JSON names are the snake_case forms (<c>fine_tune_lora</c>).</summary>
public enum LeverKind
{
    /// <summary>Prompt engineering (instructions, few-shot, knowledge in the system prompt).</summary>
    Prompt,
    /// <summary>Prompting with the shared prefix served from the provider's prompt cache.</summary>
    PromptCaching,
    /// <summary>Retrieval-augmented generation.</summary>
    Rag,
    /// <summary>LoRA adapter fine-tuning (hosted fine-tuning APIs count here).</summary>
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
