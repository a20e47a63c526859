namespace Lever.Server.FineTuning;

/// <summary>
/// The hook a serving side implements to learn that a fine-tuned adapter is ready (after a job succeeds, and for every
/// succeeded job when the server starts). <see cref="FineTunedModels"/> implements it, with the loader
/// deciding whether an adapter is applied unmerged on the shared base or merged into a copy.
/// </summary>
public interface IFineTunedModelHost
{
    /// <summary><paramref name="adapter"/> can be served from now on under <see cref="FineTunedAdapter.ModelId"/>.</summary>
    void AdapterReady(FineTunedAdapter adapter);
}
