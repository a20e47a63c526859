namespace Lever.Server.FineTuning;

/// <summary>
/// What the fine-tuning API needs from a trainer, implemented where Lever.Training is visible (the Cli composes Lever's
/// LoRA trainer, the one <c>lever train</c> runs) so the server itself stays free of TorchSharp and libtorch.
/// </summary>
public interface IFineTuneTrainer
{
    /// <summary>The model ids a job may name as its base (the local checkpoints this server can train on).</summary>
    IReadOnlyList<string> Bases { get; }

    /// <summary>The checkpoint folder of base model <paramref name="model"/>, or null when it cannot be fine-tuned here.</summary>
    string? ResolveBase(string model);

    /// <summary>Checks a training or validation file with <c>lever data validate</c>'s rules.</summary>
    FineTuneFileCheck Check(string path);

    /// <summary>True when <paramref name="outputDirectory"/> holds a run with a checkpoint to continue from.</summary>
    bool CanResume(string outputDirectory);

    /// <summary>
    /// Trains (or, with <see cref="FineTuneRequest.Resume"/>, continues from the last checkpoint in
    /// <see cref="FineTuneRequest.OutputDirectory"/>) and returns the outcome; <paramref name="cancellationToken"/>
    /// stops it at the next step with a checkpoint written (<see cref="FineTuneOutcome.Interrupted"/>).
    /// </summary>
    FineTuneOutcome Train(FineTuneRequest request, IProgress<FineTuneStep> progress, CancellationToken cancellationToken);
}
