namespace Lever.Lab.Recipes.Provider;

/// <summary>
/// <c>lab.provider:</c> — the hosted (OpenAI-compatible) model whose recipes the lab adds whenever a provider is
/// configured. Every field is optional: with one provider under <c>providers:</c> (or only OPENAI_API_KEY set) the
/// lab uses it as it is.
/// </summary>
public sealed class LabProviderOptions
{
    /// <summary>False leaves the hosted recipes out even when a provider is configured.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The provider under <c>providers:</c>; needed only when several OpenAI-compatible providers are configured.</summary>
    public string? Name { get; set; }

    /// <summary>The model to ask; default the provider's <c>model</c> (or <see cref="HostedModel.DefaultModel"/> with OPENAI_API_KEY alone).</summary>
    public string? Model { get; set; }

    /// <summary>Test emails the hosted rows answer (a seeded sample, the same for every hosted row); null: all of them.</summary>
    public int? MaxTestItems { get; set; }

    /// <summary>Characters of the email in the prompt (subject and sender first).</summary>
    public int PromptChars { get; set; } = 2000;

    /// <summary>Fixed labelled training emails shown by the few-shot recipe (spread evenly over the classes).</summary>
    public int FewShot { get; set; } = 4;

    /// <summary>Most similar training emails (Lever BM25 index) shown by the retrieval few-shot recipe.</summary>
    public int RagK { get; set; } = 4;

    /// <summary>Characters of each example email in a few-shot prompt.</summary>
    public int ShotChars { get; set; } = 600;

    /// <summary>Sampling temperature sent with each request (0: the most likely answer); null sends none (some reasoning models accept only their default).</summary>
    public double? Temperature { get; set; } = 0;

    /// <summary>Output tokens allowed per answer (a label is one or two tokens); null sends no limit.</summary>
    public int? MaxOutputTokens { get; set; } = 8;
}
