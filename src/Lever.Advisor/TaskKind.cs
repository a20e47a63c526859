namespace Lever.Advisor;

/// <summary>What the model is asked to do; it picks the data-sufficiency band.</summary>
public enum TaskKind
{
    /// <summary>Pick one label of a fixed set.</summary>
    Classification,
    /// <summary>Send a request to one of a fixed set of destinations (a classification).</summary>
    Routing,
    /// <summary>Pull structured fields out of text.</summary>
    Extraction,
    /// <summary>Answer questions, usually from knowledge.</summary>
    Qa,
    /// <summary>Write free text.</summary>
    Generation,
    /// <summary>Multi-turn assistant.</summary>
    Chat,
    /// <summary>Write or transform code.</summary>
    Code,
}
