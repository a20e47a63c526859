using Lever.Core.Levers;

namespace Lever.Lab.Recipes;

/// <summary>
/// One way to do the task, measured by the lab: a classical baseline, a prompt, retrieval few-shot, a fine-tune…
/// A recipe trains (possibly nothing) and answers; the lab times, scores and prices every recipe the same way, so
/// metrics and cost are computed in one place and recipes only produce predictions.
/// </summary>
public abstract class LabRecipe
{
    /// <summary>Unique name, shown in the report (lower-case, dashes).</summary>
    public abstract string Name { get; }

    /// <summary>The lever it pulls (<see cref="LeverKind.Baseline"/> for the non-LLM reference row).</summary>
    public abstract LeverKind Lever { get; }

    /// <summary>One line: what this recipe is.</summary>
    public abstract string Description { get; }

    /// <summary>Identity of the recipe's configuration and code version: when it changes, training and evaluation re-run.</summary>
    public abstract string Fingerprint { get; }

    /// <summary>CPU cores busy while training (for pricing training time).</summary>
    public virtual int TrainCores => 1;

    /// <summary>CPU cores busy while answering (for pricing answer time).</summary>
    public virtual int AnswerCores => 1;

    /// <summary>True when the recipe builds on the lab's own pre-trained language model (tokenizer + pre-training stages run first).</summary>
    public virtual bool NeedsBaseModel => false;

    /// <summary>True when the recipe answers with the lab's own language model, so <c>lab.inference</c> decides what runs it.</summary>
    public virtual bool RunsOnInferenceBackend => false;

    /// <summary>The recipe whose trained model this one needs (a distillation teacher), run first; null when none.</summary>
    public virtual string? BuildsOn => null;

    /// <summary>Files (relative to the recipe folder) that training writes and answering needs.</summary>
    public virtual IReadOnlyList<string> Artifacts => [];

    /// <summary>The settings it trained with and where each came from (set, sized, searched), read from <paramref name="directory"/> after training; null for recipes without any.</summary>
    public virtual RecipeSettings? Settings(string directory) => null;

    /// <summary>Trains into <see cref="RecipeContext.Directory"/>; the lab measures how long it takes.</summary>
    public abstract Task TrainAsync(RecipeContext context, CancellationToken ct);

    /// <summary>Loads what training wrote and returns an answerer.</summary>
    public abstract Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct);
}
