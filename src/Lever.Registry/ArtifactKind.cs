namespace Lever.Registry;

/// <summary>What a registered artifact is; written in lower case (<c>model</c>, <c>adapter</c>, <c>recipe</c>, <c>index</c>, <c>dataset</c>).</summary>
public enum ArtifactKind
{
    /// <summary>A checkpoint folder (config.json + weights + tokenizer).</summary>
    Model,

    /// <summary>A LoRA/QLoRA adapter folder (PEFT layout).</summary>
    Adapter,

    /// <summary>A recipe: prompt template and settings (a recipe file, or a lab recipe folder).</summary>
    Recipe,

    /// <summary>A snapshot of a retrieval index folder.</summary>
    Index,

    /// <summary>A dataset file or folder.</summary>
    Dataset,
}
