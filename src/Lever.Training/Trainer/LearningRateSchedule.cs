namespace Lever.Training.Trainer;

/// <summary>Linear warm-up then cosine decay to a floor (as in nanoGPT / the Chinchilla and Llama recipes).</summary>
public static class LearningRateSchedule
{
    /// <summary>Learning rate at 1-based <paramref name="step"/> of <paramref name="totalSteps"/>.</summary>
    public static double Cosine(int step, int totalSteps, int warmupSteps, double maxLr, double minLr)
    {
        // 1) linear warm-up from maxLr/warmup to maxLr
        if (step <= warmupSteps) return maxLr * step / Math.Max(1, warmupSteps);
        // 2) cosine from maxLr down to minLr over the remaining steps
        var decaySteps = Math.Max(1, totalSteps - warmupSteps);
        var progress = Math.Clamp((double)(step - warmupSteps) / decaySteps, 0, 1);
        return minLr + 0.5 * (maxLr - minLr) * (1 + Math.Cos(Math.PI * progress));
    }
}
