namespace Lever.Evals.Scoring;

/// <summary>Precision, recall and F1 of one class, and how many gold items it has.</summary>
public sealed record ClassMetrics(double Precision, double Recall, double F1, int Support);
