namespace Lever.Training.Runs;

/// <summary>How a run changes the model.</summary>
public enum TrainingMethod
{
    /// <summary>From a freshly initialised checkpoint (<c>lever model init</c>) on raw text.</summary>
    Pretrain,

    /// <summary>Continued pre-training of a trained checkpoint on raw domain text.</summary>
    Cpt,

    /// <summary>Full fine-tuning: every weight trains on examples.</summary>
    Full,

    /// <summary>LoRA: frozen base, low-rank adapters train.</summary>
    Lora,

    /// <summary>QLoRA: frozen NF4 base, LoRA adapters in full precision.</summary>
    Qlora,
}
