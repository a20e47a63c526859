using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lever.Evals.Recipes;

/// <summary>
/// A recipe: the unit every lever changes and every eval compares — provider/model (+ adapter), prompt template,
/// few-shot policy, retrieval, generation settings and output parser. Bound from <c>recipes/NAME.yaml</c> or from
/// lever.yaml's <c>recipes:</c> section (snake_case fields).
/// </summary>
public sealed class Recipe
{
    /// <summary>Name the user calls it by; not part of its identity.</summary>
    public string Name { get; set; } = "";

    /// <summary>Free-form version the user bumps; part of the identity.</summary>
    public string Version { get; set; } = "1";

    /// <summary>What this recipe is for; not part of its identity.</summary>
    public string? Description { get; set; }

    /// <summary>
    /// The lever this recipe exercises, by its name in <see cref="Lever.Core.Levers.LeverKind"/>'s vocabulary (baseline, prompt,
    /// prompt_caching, rag, fine_tune_lora, …), checked and normalized by <see cref="RecipeLoader"/>; not part of the identity.
    /// </summary>
    public string? Lever { get; set; }

    /// <summary>The chat kind: a model answers a prompt (the default).</summary>
    public const string ChatKind = "chat";

    /// <summary>The kNN-vote kind: the <c>few_shot.k</c> pool examples nearest the input vote for its label; no model is called.</summary>
    public const string KnnVoteKind = "knn_vote";

    /// <summary>How the recipe answers: <see cref="ChatKind"/> or <see cref="KnnVoteKind"/>; part of the identity.</summary>
    public string Kind { get; set; } = ChatKind;

    /// <summary>Name of an entry under <c>providers:</c> in lever.yaml (or <c>local</c>).</summary>
    public string Provider { get; set; } = "local";

    /// <summary>Model id at the provider, or a local checkpoint folder; null uses the provider's model.</summary>
    public string? Model { get; set; }

    /// <summary>LoRA adapter folder for a local model.</summary>
    public string? Adapter { get; set; }

    /// <summary>System prompt template; placeholders: {{labels}}, {{context}}, {{input}}.</summary>
    public string? SystemPrompt { get; set; }

    /// <summary>User turn template; placeholders: {{input}}, {{context}}. Default: the input as is.</summary>
    public string UserTemplate { get; set; } = "{{input}}";

    /// <summary>How example pairs are put before the question.</summary>
    public FewShotOptions FewShot { get; set; } = new();

    /// <summary>Retrieval-augmented context, or off.</summary>
    public RetrievalOptions Retrieval { get; set; } = new();

    /// <summary>Decoding settings.</summary>
    public GenerationOptions Generation { get; set; } = new();

    /// <summary>How the raw answer becomes a prediction.</summary>
    public ParserOptions Parser { get; set; } = new();

    /// <summary>How predictions are scored. Not part of the identity: rescoring never needs new model calls.</summary>
    public ScoringOptions Scoring { get; set; } = new();

    /// <summary>
    /// The recipe's identity: SHA-256 (hex) of its canonical JSON without name, description and scoring,
    /// so renaming a recipe or adding a scorer keeps cached predictions valid, while any change that can
    /// change an answer (a word in the prompt, k, temperature, the model) makes a new identity.
    /// </summary>
    public string Hash()
    {
        var canonical = JsonSerializer.Serialize(new
        {
            version = Version,
            provider = Provider,
            model = Model,
            adapter = Adapter,
            system_prompt = SystemPrompt,
            user_template = UserTemplate,
            few_shot = FewShot,
            retrieval = Retrieval,
            generation = Generation,
            parser = Parser,
        }, CanonicalJson);
        // Chat recipes hash as they did before kinds existed, so their cached answers stay valid.
        if (Kind != ChatKind) canonical += "\nkind=" + Kind;
        // Constrained decoding changes answers: a recipe that asks for JSON (its parser is json) hashes anew.
        if (RecipeResponseFormat.Effective(this) is not "text" and var format) canonical += "\nresponse_format=" + format;
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>Short form of <see cref="Hash"/> for run ids and display.</summary>
    public string ShortHash() => Hash()[..12];

    private static readonly JsonSerializerOptions CanonicalJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = false,
    };
}
