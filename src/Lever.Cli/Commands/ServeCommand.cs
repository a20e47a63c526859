using System.CommandLine;
using System.Net;
using Lever.Core;
using Lever.Core.Config;
using Lever.Providers;
using Lever.Providers.Engine;
using Lever.Server;
using Lever.Server.FineTuning;
using Lever.Server.Requests;
using Microsoft.Extensions.AI;

namespace Lever.Cli.Commands;

/// <summary>
/// <c>lever serve</c>: an OpenAI-compatible HTTP API (chat completions, embeddings) over a configured provider and/or
/// recipes, behind the identities of lever.yaml's <c>server.keys</c> (and LEVER_SERVER_KEY as one admin identity).
/// </summary>
internal sealed class ServeCommand : ILeverCommand
{
    public Command Create()
    {
        var provider = new Option<string?>("--provider", "-p") { Description = "provider under providers: in lever.yaml to serve" };
        var model = new Option<string?>("--model") { Description = "shorthand: serve this local checkpoint folder with the TorchSharp engine, or a .gguf file with llama.cpp" };
        var adapters = new Option<string[]>("--adapter") { Description = "serve a LoRA adapter on the --model base, unmerged, as model id NAME: NAME=PATH, NAME=NAME@vN or NAME@ALIAS (registry; an alias follows promotions); repeatable", Arity = ArgumentArity.ZeroOrMore };
        var maxBatch = new Option<int>("--max-batch") { Description = "local engine: most concurrent requests (base and adapters together) decoded as one batch; 1 serves one at a time", DefaultValueFactory = _ => 8 };
        var recipes = new Option<string[]>("--recipe", "-r") { Description = "serve this recipe (RAG with its index, a prompt template, a fine-tuned model) as a model id named after it; repeatable", Arity = ArgumentArity.ZeroOrMore };
        var port = new Option<int>("--port") { Description = "port (0 picks a free one)", DefaultValueFactory = _ => 8080 };
        var host = new Option<string>("--host") { Description = "address to bind (loopback unless you mean otherwise)", DefaultValueFactory = _ => "127.0.0.1" };
        var keyEnv = new Option<string?>("--api-key-env") { Description = "environment variable holding a single bearer token, one identity with every scope (default LEVER_SERVER_KEY); server.keys in lever.yaml configures more" };
        var workspace = new Option<string?>("--workspace", "-w") { Description = "workspace folder (default: current directory)" };
        var logRequests = new Option<bool>("--log-requests") { Description = "also log each request's messages and answer, redacted (server.request_log.redact), to .lever/server/requests/ for `lever data from-logs`; the usage ledger (.lever/server/usage.jsonl, counts only) is always kept" };
        var fineTuning = new Option<bool>("--fine-tuning") { Description = "also serve OpenAI's files and fine-tuning API (admin keys only): jobs train LoRA adapters on --model's checkpoint (docs/SERVER.md)" };
        var command = new Command("serve", "Serve a model or recipes through an OpenAI-compatible API (chat completions with streaming, embeddings), keys as identities with scopes (docs/SERVER.md).")
        {
            provider, model, adapters, maxBatch, recipes, port, host, keyEnv, workspace, logRequests, fineTuning,
        };
        command.SetAction((parse, ct) => Run(parse.GetValue(provider), parse.GetValue(model), parse.GetValue(adapters) ?? [], parse.GetValue(maxBatch), parse.GetValue(recipes) ?? [], parse.GetValue(port),
            parse.GetValue(host)!, parse.GetValue(keyEnv), parse.GetValue(workspace), parse.GetValue(logRequests), parse.GetValue(fineTuning), ct));
        return command;
    }

    private static async Task<int> Run(string? providerName, string? modelDir, string[] adapterSpecs, int maxBatch, string[] recipeNames, int port, string host, string? keyEnv, string? workspaceDir,
        bool logRequests, bool fineTune, CancellationToken ct)
    {
        var ws = Workspace.Open(workspaceDir);
        if (providerName is not null && modelDir is not null)
            throw new LeverUserException("give one of --provider and --model, not both", "e.g. lever serve --model .lever/models/tiny");
        if (providerName is null && modelDir is null && recipeNames.Length == 0)
            throw new LeverUserException("nothing to serve: give --provider, --model or --recipe", "e.g. lever serve --model .lever/models/tiny, or lever serve --recipe rag");
        if (fineTune && modelDir is null)
            throw new LeverUserException("--fine-tuning needs --model: jobs train LoRA adapters on the local checkpoint the server serves", "e.g. lever serve --model .lever/models/tiny --fine-tuning");
        if (port is < 0 or > 65535) throw new LeverUserException($"--port {port} is not a port number", "use 0-65535");
        var config = LeverConfig.Load(ws.ConfigPath);
        var settings = ServerSettings.Load(config);
        var keyring = ServerKeyring.FromSettings(settings, config, ws.Root, Environment.GetEnvironmentVariable);
        var variable = keyEnv ?? "LEVER_SERVER_KEY";
        var key = Environment.GetEnvironmentVariable(variable) is { Length: > 0 } k ? k : null;
        if (key is not null && keyring.Identities.Any(i => i.Id == OpenAiServer.SingleKeyId))
            throw config.ErrorAt("server.keys", $"identity id '{OpenAiServer.SingleKeyId}' is reserved for ${variable}", "rename that identity");
        if (key is not null && keyring.Authenticate(key) is { } same)
            throw new LeverUserException($"${variable} holds the same key as identity '{same.Id}' in server.keys", $"give ${variable} its own key, or unset it");
        var loopback = host == "localhost" || IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
        if (key is null && keyring.IsEmpty && !loopback)
            throw new LeverUserException($"refusing to serve on {host} without authentication: no server.keys in lever.yaml and ${variable} is not set",
                $"configure server.keys (docs/SERVER.md), or export {variable}=<a long random token>, or bind to 127.0.0.1");

        var registry = Composition.Providers(ws, config);
        if (modelDir is not null)
        {
            // A .gguf file is served by llama.cpp (no /v1/embeddings then); a checkpoint folder by the engine.
            var gguf = Lever.Providers.LlamaCpp.LlamaCppBackend.IsGgufPath(modelDir);
            providerName = gguf ? Lever.Providers.LlamaCpp.LlamaCppBackend.KindName : "local";
            // /v1/embeddings is served by the local embedding model Lever ships, so a local server needs no provider for it.
            registry = registry.With(providerName, new ProviderOptions
            {
                Kind = providerName, Model = Path.GetFullPath(modelDir, ws.Root), EmbeddingModel = gguf ? null : ProviderRegistry.DefaultLocalEmbeddingModel, TimeoutSeconds = 600,
            });
        }
        var models = new List<ServedModel>();
        using var chat = providerName is null ? null : registry.Chat(providerName);
        using var embeddings = providerName is null ? null : registry.Embeddings(providerName);
        var options = providerName is null ? null : registry.Get(providerName);
        if (providerName is not null)
            models.Add(new ServedModel
            {
                Id = modelDir is not null ? ServedName(options!.Model!) : options!.Model ?? providerName,
                ChatFor = _ => chat!,
                Root = modelDir is not null ? options.Model : null,
            });
        // LoRA adapters on the base (docs/SERVER.md, many adapters on one base): unmerged, batched, loadable at runtime.
        // On a GGUF base, llama.cpp's adapter API: GGUF adapters set per request on the one context (serialized, no batching).
        ILocalAdapters? local = chat is null ? null : EngineAdapters.For(chat) ?? (ILocalAdapters?)Lever.Providers.LlamaCpp.LlamaCppAdapters.For(chat);
        var adapterHost = local is null ? null : new ServedAdapters(ws, local, models[0].Id);
        if (maxBatch < 1) throw new LeverUserException($"--max-batch {maxBatch} must be 1 or more", "1 serves one request at a time; 8 batches up to 8");
        var engine = local as EngineAdapters;
        if (engine is not null) engine.MaxBatchSize = maxBatch;
        if (adapterSpecs.Length > 0 && adapterHost is null)
            throw new LeverUserException("--adapter needs a local base model", "e.g. lever serve --model .lever/models/base --adapter support=.lever/adapters/support");
        foreach (var spec in adapterSpecs)
        {
            var (name, path) = ServedAdapters.Parse(spec);
            if (models.Any(m => m.Id == name)) throw new LeverUserException($"model id '{name}' would be served twice (--adapter {spec})", "give each adapter its own name");
            models.Add(adapterHost!.Load(name, path));
        }
        using var recipes = new ServedRecipes(ws, config, registry);
        var recipeModels = new List<ServedModel>();
        foreach (var name in recipeNames)
        {
            var served = recipes.Load(name);
            if (models.Any(m => m.Id == served.Id))
                throw new LeverUserException($"model id '{served.Id}' would be served twice (recipe '{name}')", "serve each recipe once, and name recipes differently from the provider's model");
            models.Add(served);
            recipeModels.Add(served);
        }

        var ledger = UsageLedger.For(ws, config, registry, providerName, providerName is null ? null : models[0].Id, settings, logRequests);
        using var tuning = fineTune ? ServeFineTuning.Open(ws, settings.FineTuning, models[0].Id, options!.Model!, registry, engine) : null;
        models = models.Select(m => RequestRecording.Wrap(m, ledger)).ToList();
        await using var server = OpenAiServer.Create(models, embeddings, new ServerOptions
        {
            MoreModels = tuning is null ? null : RequestRecording.Wrap(tuning.Models, ledger),
            Host = host,
            Port = port,
            ApiKey = key,
            Keyring = keyring,
            Limits = settings.Limits,
            EmbeddingModelName = options?.EmbeddingModel,
            Adapters = adapterHost,
            AdapterAudit = adapterHost is null ? null : (evt, name, path, who) => adapterHost.Audit(evt, name, path, who),
            AccessLog = settings.AccessLog ? Console.WriteLine : null,
        });
        if (tuning is not null) FineTuningApi.Map(server, tuning.Service);
        try
        {
            await server.StartAsync(ct).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new LeverUserException($"cannot listen on {host}:{port}: {ex.Message}", "pick another --port (0 picks a free one)");
        }
        var what = string.Join("; ", new[]
        {
            providerName is null ? null : $"provider '{providerName}' ({options!.Model})",
            models.Count(m => m.Parent is not null) is var n and > 0 ? $"{n} LoRA adapter{(n == 1 ? "" : "s")}: " + string.Join(", ", models.Where(m => m.Parent is not null).Select(m => m.Id)) : null,
            recipeModels.Count == 0 ? null : "recipes: " + string.Join(", ", recipeModels.Select(m => m.Cites ? m.Id + " (retrieves, cites)" : m.Id)),
        }.Where(s => s is not null));
        var auth = keyring.IsEmpty && key is null ? "no authentication (loopback only)"
            : string.Join(" + ", new[] { keyring.IsEmpty ? null : $"{keyring.Identities.Count} {(keyring.Identities.Count == 1 ? "identity" : "identities")} from server.keys", key is null ? null : $"bearer token from ${variable}" }.Where(s => s is not null));
        tuning?.Service.Start();
        if (tuning is not null) what += $"; fine-tuning on '{models[0].Id}' ({settings.FineTuning.EffectiveThreads} training thread{(settings.FineTuning.EffectiveThreads == 1 ? "" : "s")}, jobs in {tuning.Service.JobsDirectory})";
        Console.WriteLine($"lever serve: {server.BaseUrl} → {what}; {auth}. Ctrl-C stops.");
        Console.WriteLine(ledger.LogsContent
            ? $"lever serve: logging requests (redacted: {string.Join(", ", new Redactor(settings.RequestLog.Redact).Kinds.DefaultIfEmpty("nothing"))}) and usage to {UsageLedger.Folder(ws)}"
            : $"lever serve: usage ledger (counts, no texts) in {UsageLedger.Folder(ws)}; --log-requests also keeps the texts");
        await server.WaitAsync(ct).ConfigureAwait(false);
        Console.WriteLine("lever serve: stopped (requests in flight finished)");
        return 0;
    }

    private static string ServedName(string model) => Lever.Providers.LlamaCpp.LlamaCppBackend.IsGgufPath(model)
        ? Path.GetFileNameWithoutExtension(model) : Path.GetFileName(Path.TrimEndingDirectorySeparator(model));
}
