using Lever.Core;
using Lever.Core.Config;
using Lever.Providers;
using Lever.Server.FineTuning;

namespace Lever.Cli.Commands;

/// <summary>
/// <c>lever serve --fine-tuning</c>'s composition: the job store under .lever/server, Lever's LoRA trainer on the served
/// checkpoint, the registry and audit trail, and fine-tuned models served by loading the base with the adapter merged
/// (one model copy per fine-tuned model in use) until a multi-adapter host takes the <see cref="IFineTunedModelHost"/> hook.
/// </summary>
internal sealed class ServeFineTuning : IDisposable
{
    private ServeFineTuning(FineTuningService service, MergedAdapterModels models) => (Service, Models) = (service, models);

    public FineTuningService Service { get; }

    public MergedAdapterModels Models { get; }

    public static ServeFineTuning Open(Workspace ws, FineTuningSettings settings, string baseId, string basePath, ProviderRegistry providers)
    {
        var models = new MergedAdapterModels(adapter => providers.With("fine-tuned", new ProviderOptions
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
