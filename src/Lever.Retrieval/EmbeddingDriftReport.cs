namespace Lever.Retrieval;

/// <summary>How far two sets of texts are apart in embedding space (cosine distances: 0 same direction, 1 orthogonal, 2 opposite).</summary>
/// <param name="CentroidDistance">1 − cosine between the two sets' mean vectors: "the inputs moved" as a number.</param>
/// <param name="DispersionA">Mean cosine distance of set A's vectors to A's centroid (how spread A is).</param>
/// <param name="DispersionB">Mean cosine distance of set B's vectors to B's centroid.</param>
/// <param name="CountA">Vectors in set A.</param>
/// <param name="CountB">Vectors in set B.</param>
public sealed record EmbeddingDriftReport(double CentroidDistance, double DispersionA, double DispersionB, int CountA, int CountB)
{
    /// <summary>The centroid distance relative to the sets' own spread (mean of the two dispersions); 0 when both sets are points.</summary>
    public double Relative => (DispersionA + DispersionB) / 2 is var spread and > 0 ? CentroidDistance / spread : 0;
}
