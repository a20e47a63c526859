namespace Lever.Evals.Scoring;

/// <summary>
/// One JSON answer's fields against the expected object's: leaf fields expected, leaf fields the answer has, and
/// expected fields it got right. Summed over a set they give field-level (micro) precision, recall and F1.
/// </summary>
/// <param name="Expected">Leaf fields of the expected object.</param>
/// <param name="Predicted">Leaf fields of the answer (0 when it is not JSON).</param>
/// <param name="Correct">Expected leaf fields the answer has with the right value.</param>
public sealed record FieldCounts(int Expected, int Predicted, int Correct)
{
    /// <summary>Micro precision, recall and F1 of <paramref name="items"/> (0 where a denominator is 0).</summary>
    public static (double Precision, double Recall, double F1) Micro(IEnumerable<FieldCounts> items)
    {
        int expected = 0, predicted = 0, correct = 0;
        foreach (var c in items)
        {
            expected += c.Expected;
            predicted += c.Predicted;
            correct += c.Correct;
        }
        double p = predicted == 0 ? 0 : (double)correct / predicted, r = expected == 0 ? 0 : (double)correct / expected;
        return (p, r, p + r == 0 ? 0 : 2 * p * r / (p + r));
    }
}
