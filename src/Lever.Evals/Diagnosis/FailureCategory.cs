namespace Lever.Evals.Diagnosis;

/// <summary>The four failure modes and the lever each points to.</summary>
public static class FailureCategory
{
    /// <summary>The needed fact was not in the model's context.</summary>
    public const string Knowledge = "knowledge";

    /// <summary>Right content, wrong form (format, schema, label spelling, tone).</summary>
    public const string Behaviour = "behaviour";

    /// <summary>Instruction not followed; a few-shot probe fixes it.</summary>
    public const string Prompt = "prompt";

    /// <summary>None of the above: the model cannot do it as asked.</summary>
    public const string Capability = "capability";

    /// <summary>All categories in report order.</summary>
    public static IReadOnlyList<string> All { get; } = [Knowledge, Behaviour, Prompt, Capability];

    /// <summary>The lever a category points to.</summary>
    public static string LeverFor(string category) => category switch
    {
        Knowledge => "rag",
        Behaviour => "fine_tune",
        Prompt => "prompt",
        _ => "bigger_model",
    };
}
