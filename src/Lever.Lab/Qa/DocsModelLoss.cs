namespace Lever.Lab.Qa;

/// <summary>The model trained on the documents, measured on held-out pages: mean cross-entropy (nats per token) before and after training.</summary>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="BaseLoss">Loss of the freshly initialized model.</param>
/// <param name="Loss">Loss of the trained model (its best evaluation).</param>
public sealed record DocsModelLoss(int Steps, double BaseLoss, double Loss);
