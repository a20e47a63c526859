using Lever.Core;
using Lever.Core.Config;
using Lever.Providers;
using Lever.Providers.Engine;
using Lever.Server.FineTuning;

namespace Lever.Cli.Commands;

/// <summary>
/// <c>lever serve --fine-tuning</c>'s composition: the job store under .lever/server, Lever's LoRA trainer on the served
/// checkpoint, the registry and audit trail, and the fine-tuned models. On a local engine base they are applied
/// unmerged on the one base in memory, batched with the base's and the other adapters' requests, as <c>--adapter</c>
/// serves them (memory = base + Σ adapters); otherwise each is loaded as the base with its adapter merged into a copy.
/// </summary>
internal sealed class ServeFineTuning : IDisposable
{
    private ServeFineTuning(FineTuningService service, FineTunedModels models) => (Service, Models) = (service, models);

    public FineTuningService Service { get; }

    public FineTunedModels Models { get; }

    public static ServeFineTuning Open(Workspace ws, FineTuningSettings settings, string baseId, string basePath, ProviderRegistry providers, EngineAdapters? engine)
    {
        var models = engine is not null
            ? new FineTunedModels(adapter => engine.Load(adapter.ModelId, adapter.AdapterPath), engine.Unload)
            : new FineTunedModels(adapter => providers.With("fine-tuned", new ProviderOptions
            {
                Kind = "local", Model = adapter.BaseModelPath, Adapter = adapter.AdapterPath, TimeoutSeconds = 600,
            }).Chat("fine-tuned"));
        var service = new FineTuningService(Path.Combine(ws.StateDir, "server"), settings, new FineTuningTrainer(baseId, basePath), new FineTuningRecorder(ws), [models]);
        return new ServeFineTuning(service, models);
    }

    public void Dispose()
    {
        Service.Dispose();
        Models.Dispose();
    }
}
