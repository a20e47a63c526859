namespace Lever.Retrieval.Vectors;

/// <summary>HNSW construction and search settings (names as in Malkov and Yashunin, 2018).</summary>
/// <param name="M">Links per node on upper layers (2·M on layer 0).</param>
/// <param name="EfConstruction">Candidate list size while inserting: higher builds a better graph, slower.</param>
/// <param name="EfSearch">Candidate list size while searching (at least k): the recall/speed knob.</param>
/// <param name="Seed">Seed for the random layer assignment, so a build is reproducible.</param>
public sealed record HnswOptions(int M = 16, int EfConstruction = 200, int EfSearch = 128, int Seed = 42);
