namespace Lever.Lab.Recipes.Provider;

/// <summary>How a hosted recipe prompts the model.</summary>
public enum HostedPromptKind
{
    /// <summary>The instruction and the email only.</summary>
    ZeroShot,

    /// <summary>Fixed labelled training emails as earlier turns.</summary>
    FewShot,

    /// <summary>The most similar labelled training emails (Lever BM25 index) as earlier turns.</summary>
    RagFewShot,
}
