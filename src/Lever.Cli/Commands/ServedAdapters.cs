using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Providers;
using Lever.Registry;
using Lever.Server;
using Microsoft.Extensions.AI;

namespace Lever.Cli.Commands;

/// <summary>
/// The LoRA adapters of <c>lever serve --model BASE --adapter NAME=PATH|NAME=REF</c> and of the runtime endpoints: each
/// adapter is a model id whose parent is the base, applied unmerged on the one base in memory. A registry reference
/// (<c>NAME@vN</c>, <c>NAME@ALIAS</c>) is resolved through the registry; an alias is re-resolved on a request when
/// <see cref="FollowSeconds"/> have passed since the last look, so a promotion is served without a restart.
/// </summary>
internal sealed class ServedAdapters(Workspace ws, ILocalAdapters engine, string baseId) : IAdapterHost
{
    /// <summary>How long a resolved registry alias is trusted before the next request looks again.</summary>
    public const double FollowSeconds = 2;

    public string BaseModel => baseId;

    private ILocalAdapters Engine => engine;

    /// <summary>Parses <c>NAME=PATH</c> or <c>NAME=REF</c>; a bare reference <c>NAME@ALIAS</c> is served under NAME.</summary>
    public static (string Name, string Spec) Parse(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq > 0) return (text[..eq].Trim(), text[(eq + 1)..].Trim());
        if (ArtifactReference.IsReference(text)) return (ArtifactReference.Parse(text).Name, text);
        throw new LeverUserException($"--adapter {text}: expected NAME=PATH (or NAME=NAME@vN / NAME@ALIAS from the registry)", "e.g. --adapter support=.lever/adapters/support or --adapter support@champion");
    }

    public ServedModel Load(string name, string spec)
    {
        if (name.Length == 0 || name.Any(char.IsWhiteSpace) || name == baseId)
            throw new LeverUserException($"adapter name '{name}' is empty, has spaces, or is the base model's id", "give each adapter its own model id");
        if (ArtifactReference.IsReference(spec))
        {
            var follow = new Follow(this, name, spec);
            return new ServedModel { Id = name, ChatFor = _ => follow.Current(), Parent = baseId, Root = spec };
        }
        var dir = Path.GetFullPath(spec, ws.Root);
        var chat = engine.Load(name, dir);
        return new ServedModel { Id = name, ChatFor = _ => chat, Parent = baseId, Root = dir };
    }

    public void Unload(ServedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        engine.Unload(model.ChatFor(ServerIdentity.Anonymous));
    }

    /// <summary>Writes an audit line (adapter_load, adapter_unload, adapter_follow) to the workspace's registry; a failure warns and never fails the request.</summary>
    public void Audit(string evt, string name, string? path, string who, JsonObject? extra = null)
    {
        try
        {
            using var registry = ArtifactRegistry.Open(ws);
            var data = new JsonObject { ["name"] = name, ["path"] = path, ["identity"] = who, ["base_model"] = baseId };
            foreach (var (k, v) in extra ?? []) data[k] = v?.DeepClone();
            registry.RecordEvent(evt, data);
        }
        catch (Exception ex) when (ex is LeverUserException or IOException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            Console.Error.WriteLine($"lever serve: warning: could not write the {evt} audit line for adapter '{name}': {ex.Message}");
        }
    }

    private ArtifactVersion Resolve(string reference)
    {
        if (!ArtifactRegistry.Exists(ws))
            throw new LeverUserException($"{reference}: looks like a registry reference, but {ws.StateDir} has no registry.db", "register the adapter first (lever registry register NAME PATH --kind adapter), or give a path");
        using var registry = ArtifactRegistry.Open(ws);
        var v = registry.Resolve(ArtifactReference.Parse(reference));
        return v.Kind == ArtifactKind.Adapter ? v
            : throw new LeverUserException($"{reference}: {v.Reference} is a {ArtifactKinds.Name(v.Kind)}, not an adapter", "serve a base model with --model and adapters with --adapter");
    }

    /// <summary>A registry-referenced adapter: the version its reference resolves to now, reloaded when an alias moves.</summary>
    private sealed class Follow
    {
        private readonly ServedAdapters _host;
        private readonly string _name;
        private readonly string _reference;
        private readonly Lock _lock = new();
        private ArtifactVersion _version;
        private IChatClient _chat;
        private DateTime _checked;

        public Follow(ServedAdapters host, string name, string reference)
        {
            _host = host;
            _name = name;
            _reference = reference;
            _version = host.Resolve(reference);
            _chat = host.Engine.Load(name, _version.Path);
            _checked = DateTime.UtcNow;
        }

        public IChatClient Current()
        {
            lock (_lock)
            {
                if (ArtifactReference.Parse(_reference).Alias is null || (DateTime.UtcNow - _checked).TotalSeconds < FollowSeconds) return _chat;
                _checked = DateTime.UtcNow;
                ArtifactVersion now;
                try
                {
                    now = _host.Resolve(_reference);
                }
                catch (LeverUserException ex)
                {
                    Console.Error.WriteLine($"lever serve: warning: {_reference} no longer resolves ({ex.Message}); still serving {_version.Reference}");
                    return _chat;
                }
                if (now.Version == _version.Version) return _chat;
                var chat = _host.Engine.Load(_name, now.Path);
                _host.Engine.Unload(_chat);
                _host.Audit("adapter_follow", _name, now.Path, "-", new JsonObject { ["reference"] = _reference, ["from"] = _version.Reference, ["to"] = now.Reference });
                Console.WriteLine($"lever serve: {_name} follows {_reference}: {_version.Reference} → {now.Reference}");
                (_version, _chat) = (now, chat);
                return _chat;
            }
        }
    }
}
