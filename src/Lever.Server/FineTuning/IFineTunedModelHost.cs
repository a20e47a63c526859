namespace Lever.Server.FineTuning;

/// <summary>
/// The hook a serving side implements to learn that a fine-tuned adapter is ready (after a job succeeds, and for every
/// succeeded job when the server starts). <see cref="MergedAdapterModels"/> is today's implementation; a multi-adapter
/// server that applies adapters unmerged on a shared base implements it too.
/// </summary>
public interface IFineTunedModelHost
{
    /// <summary><paramref name="adapter"/> can be served from now on under <see cref="FineTunedAdapter.ModelId"/>.</summary>
    void AdapterReady(FineTunedAdapter adapter);
}
