using System.CommandLine;
using System.Net;
using Lever.Core;
using Lever.Core.Config;
using Lever.Providers;
using Lever.Server;
using Microsoft.Extensions.AI;

namespace Lever.Cli.Commands;

/// <summary><c>lever serve</c>: an OpenAI-compatible HTTP API (chat completions, embeddings) over a configured provider.</summary>
internal sealed class ServeCommand : ILeverCommand
{
    public Command Create()
    {
        var provider = new Option<string?>("--provider", "-p") { Description = "provider under providers: in lever.yaml to serve" };
        var model = new Option<string?>("--model") { Description = "shorthand: serve this local checkpoint folder with the TorchSharp engine" };
        var port = new Option<int>("--port") { Description = "port (0 picks a free one)", DefaultValueFactory = _ => 8080 };
        var host = new Option<string>("--host") { Description = "address to bind (loopback unless you mean otherwise)", DefaultValueFactory = _ => "127.0.0.1" };
        var keyEnv = new Option<string?>("--api-key-env") { Description = "environment variable holding the bearer token clients must send (default LEVER_SERVER_KEY)" };
        var workspace = new Option<string?>("--workspace", "-w") { Description = "workspace folder (default: current directory)" };
        var command = new Command("serve", "Serve a model through an OpenAI-compatible API (chat completions with streaming, embeddings).")
        {
            provider, model, port, host, keyEnv, workspace,
        };
        command.SetAction((parse, ct) => Run(parse.GetValue(provider), parse.GetValue(model), parse.GetValue(port), parse.GetValue(host)!, parse.GetValue(keyEnv), parse.GetValue(workspace), ct));
        return command;
    }

    private static async Task<int> Run(string? providerName, string? modelDir, int port, string host, string? keyEnv, string? workspaceDir, CancellationToken ct)
    {
        var ws = Workspace.Open(workspaceDir);
        if ((providerName is null) == (modelDir is null))
            throw new LeverUserException("give exactly one of --provider and --model", "e.g. lever serve --model .lever/models/tiny");
        var config = LeverConfig.Load(ws.ConfigPath);
        var registry = Composition.Providers(ws, config);
        if (modelDir is not null)
        {
            providerName = "local";
            // /v1/embeddings is served by the local embedding model Lever ships, so a local server needs no provider for it.
            registry = registry.With(providerName, new ProviderOptions
            {
                Kind = "local", Model = Path.GetFullPath(modelDir, ws.Root), EmbeddingModel = ProviderRegistry.DefaultLocalEmbeddingModel, TimeoutSeconds = 600,
            });
        }
        var variable = keyEnv ?? "LEVER_SERVER_KEY";
        var key = Environment.GetEnvironmentVariable(variable) is { Length: > 0 } k ? k : null;
        var loopback = host == "localhost" || IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
        if (key is null && !loopback)
            throw new LeverUserException($"refusing to serve on {host} without authentication: ${variable} is not set",
                $"export {variable}=<a long random token>, or bind to 127.0.0.1");
        if (port is < 0 or > 65535) throw new LeverUserException($"--port {port} is not a port number", "use 0-65535");

        using var chat = registry.Chat(providerName!);
        using var embeddings = registry.Embeddings(providerName!);
        var options = registry.Get(providerName!);
        await using var server = OpenAiServer.Create(chat, embeddings, new ServerOptions
        {
            Host = host,
            Port = port,
            ApiKey = key,
            ModelName = modelDir is not null ? Path.GetFileName(Path.TrimEndingDirectorySeparator(options.Model!)) : options.Model ?? providerName!,
            EmbeddingModelName = options.EmbeddingModel ?? "none",
        });
        try
        {
            await server.StartAsync(ct).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new LeverUserException($"cannot listen on {host}:{port}: {ex.Message}", "pick another --port (0 picks a free one)");
        }
        Console.WriteLine($"lever serve: {server.BaseUrl} → provider '{providerName}' ({options.Model}); {(key is null ? "no authentication (loopback only)" : $"bearer token from ${variable}")}. Ctrl-C stops.");
        await server.WaitAsync(ct).ConfigureAwait(false);
        return 0;
    }
}
