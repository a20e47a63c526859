using Lever.Core;
using Lever.Lab.Data;
using Lever.Lab.Pipeline;

namespace Lever.Lab.Recipes;

/// <summary>What a recipe gets to train and load: the data, its own folder, and a way to report progress.</summary>
/// <param name="Workspace">The lab's workspace.</param>
/// <param name="Directory">The recipe's folder under .lever/lab/recipes/ (its artefacts live here).</param>
/// <param name="Data">The splits; a recipe may train on Train, tune on Validation, and never reads Test.</param>
/// <param name="Stage">The running stage, for progress and messages (null when loading for evaluation).</param>
/// <param name="BaseModel">The lab's pre-trained language model folder, for recipes that need one (null otherwise).</param>
/// <param name="StageInputs">The running stage's inputs hash: a recipe that keeps partial work (training checkpoints) tags it with this.</param>
public sealed record RecipeContext(Workspace Workspace, string Directory, LabDataset Data, StageRun? Stage, string? BaseModel = null, string StageInputs = "")
{
    /// <summary>The backend the lab's own models answer on when loaded for evaluation (training always runs on the engine).</summary>
    public LabInference Inference { get; init; } = LabInference.Engine;

    /// <summary>A llama.cpp scorer over <paramref name="modelDirectory"/>'s GGUF export under <see cref="Inference"/>, or null on the engine.</summary>
    internal Providers.IContinuationScorer? ScorerFor(string modelDirectory) => Inference.OpenScorer(modelDirectory);
}
