using Lever.Core;
using Lever.Core.Config;
using Lever.Providers;
using Lever.Providers.Engine;
using Lever.Server.FineTuning;
using Microsoft.Extensions.AI;

namespace Lever.Cli.Commands;

/// <summary>
/// <c>lever serve --fine-tuning</c>'s composition: the job store under .lever/server, Lever's LoRA trainer on the served
/// checkpoint, the registry and audit trail, and the fine-tuned models. On a local engine base they are applied
/// unmerged on the one base in memory, batched with the base's and the other adapters' requests, as <c>--adapter</c>
/// serves them (memory = base + Σ adapters); otherwise each is loaded as the base with its adapter merged into a copy.
/// A full fine-tune (method.lever.training full) is a whole checkpoint, loaded as a model of its own.
/// </summary>
internal sealed class ServeFineTuning : IDisposable
{
    private ServeFineTuning(FineTuningService service, FineTunedModels models) => (Service, Models) = (service, models);

    public FineTuningService Service { get; }

    public FineTunedModels Models { get; }

    public static ServeFineTuning Open(Workspace ws, FineTuningSettings settings, string baseId, string basePath, ProviderRegistry providers, EngineAdapters? engine)
    {
        // A full fine-tune is a checkpoint of its own; an adapter goes on the shared base when there is one, else merged.
        IChatClient Copy(FineTunedAdapter a) => providers.With("fine-tuned", new ProviderOptions
        {
            Kind = "local", Model = a.FullModel ? a.AdapterPath : a.BaseModelPath, Adapter = a.FullModel ? null : a.AdapterPath, TimeoutSeconds = 600,
        }).Chat("fine-tuned");
        var models = engine is not null
            ? new FineTunedModels(a => a.FullModel ? Copy(a) : engine.Load(a.ModelId, a.AdapterPath), chat =>
            {
                if (EngineAdapters.Bytes(chat) > 0) engine.Unload(chat);
                else chat.Dispose();
            })
            : new FineTunedModels(Copy);
        var service = new FineTuningService(Path.Combine(ws.StateDir, "server"), settings, new FineTuningTrainer(baseId, basePath), new FineTuningRecorder(ws), [models]);
        return new ServeFineTuning(service, models);
    }

    public void Dispose()
    {
        Service.Dispose();
        Models.Dispose();
    }
}
