namespace Lever.Training.Trainer;

/// <summary>Why a run ended.</summary>
public enum TrainingStop
{
    /// <summary>All steps done.</summary>
    Completed,

    /// <summary>Validation loss stopped improving for the patience window.</summary>
    EarlyStopped,

    /// <summary>Ctrl-C: a checkpoint was written; <c>--resume</c> continues.</summary>
    Interrupted,
}
