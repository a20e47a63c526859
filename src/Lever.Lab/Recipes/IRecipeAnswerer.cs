using Lever.Lab.Data;

namespace Lever.Lab.Recipes;

/// <summary>A trained recipe, loaded and ready to answer one example at a time (the lab times each call).</summary>
public interface IRecipeAnswerer : IDisposable
{
    /// <summary>Classifies <paramref name="example"/>.</summary>
    ValueTask<LabelAnswer> AnswerAsync(LabExample example, CancellationToken ct);
}
