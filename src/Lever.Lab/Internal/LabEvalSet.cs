using System.Text.Json;
using Lever.Core.Data;
using Lever.Evals.Data;
using Lever.Lab.Data;

namespace Lever.Lab.Internal;

/// <summary>The lab's test examples as an Evals eval set: input the example's text, expected its label, id its id.</summary>
internal static class LabEvalSet
{
    /// <summary>The set of <paramref name="examples"/>, in their order, named <paramref name="path"/>.</summary>
    public static EvalSet Of(string path, IReadOnlyList<LabExample> examples) =>
        EvalSet.Of(path, examples.Select((e, i) => EvalSet.Parse(new JsonlLine(path, i + 1,
            JsonSerializer.SerializeToElement(new { id = e.Id, input = e.Text, expected = e.Label }), null))).ToList());
}
