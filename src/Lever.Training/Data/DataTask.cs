namespace Lever.Training.Data;

/// <summary>What a fine-tuning set is meant to teach; decides the data-sufficiency band.</summary>
public enum DataTask
{
    /// <summary>Style or output format: 50–500 examples.</summary>
    Style,

    /// <summary>Classification with 5–10 classes: 500–2,000 examples.</summary>
    Classification,

    /// <summary>Extraction or transformation: 1,000–10,000 examples.</summary>
    Extraction,

    /// <summary>A major behaviour change: 10,000 examples or more.</summary>
    Behaviour,
}
