namespace Lever.Advisor;

/// <summary>What the current prompt-only system shows; the advisor diagnoses the gap from these.</summary>
public enum Symptom
{
    /// <summary>Answers state wrong facts (knowledge gap).</summary>
    WrongFacts,
    /// <summary>Answers state facts that used to be true (knowledge gap).</summary>
    OutdatedFacts,
    /// <summary>The output format varies after prompting (behaviour gap).</summary>
    InconsistentFormat,
    /// <summary>The tone or style is off after prompting (behaviour gap).</summary>
    WrongTone,
    /// <summary>The model does not follow the brief (prompt gap).</summary>
    IgnoresInstructions,
    /// <summary>Quality is acceptable but it costs too much per answer.</summary>
    TooExpensive,
    /// <summary>Quality is acceptable but answers arrive too late.</summary>
    TooSlow,
    /// <summary>The model does not know the domain's vocabulary.</summary>
    DomainVocabulary,
    /// <summary>The model does not handle the language at all.</summary>
    UnsupportedLanguage,
    /// <summary>No problem observed.</summary>
    None,
}
