using System.Security.Cryptography;
using System.Text;
using Lever.Core.Config;

namespace Lever.Server;

/// <summary>
/// The identities the server knows, each behind the SHA-256 of its API key: a presented key is hashed and compared
/// with every stored hash in constant time, so neither the key nor how much of it matched is ever held or leaked.
/// Empty means no authentication (every caller is <see cref="ServerIdentity.Anonymous"/>; <c>lever serve</c> allows that on loopback only).
/// </summary>
public sealed class ServerKeyring
{
    private readonly List<(byte[] Hash, ServerIdentity Identity)> _entries = [];

    /// <summary>The identities, in the order they were added.</summary>
    public IReadOnlyList<ServerIdentity> Identities => _entries.Select(e => e.Identity).ToList();

    /// <summary>True when no identity is configured.</summary>
    public bool IsEmpty => _entries.Count == 0;

    /// <summary>SHA-256 of <paramref name="key"/> (UTF-8), the form a key is kept in.</summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Adds <paramref name="identity"/> behind <paramref name="key"/> (only its hash is kept).</summary>
    public ServerKeyring Add(ServerIdentity identity, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return AddHash(identity, Hash(key));
    }

    /// <summary>Adds <paramref name="identity"/> behind a key whose SHA-256 is <paramref name="sha256"/>.</summary>
    public ServerKeyring AddHash(ServerIdentity identity, byte[] sha256)
    {
        if (sha256.Length != SHA256.HashSizeInBytes) throw new ArgumentException("a SHA-256 hash is 32 bytes", nameof(sha256));
        if (_entries.Any(e => e.Identity.Id == identity.Id)) throw new ArgumentException($"identity '{identity.Id}' is already in the keyring", nameof(identity));
        if (Find(sha256) is { } other) throw new ArgumentException($"identity '{identity.Id}' has the same key as '{other.Id}'", nameof(sha256));
        _entries.Add((sha256.ToArray(), identity));
        return this;
    }

    /// <summary>A keyring with the same identities and hashes, to add to without changing this one.</summary>
    public ServerKeyring Copy()
    {
        var copy = new ServerKeyring();
        copy._entries.AddRange(_entries);
        return copy;
    }

    /// <summary>The identity behind <paramref name="presentedKey"/>, or null.</summary>
    public ServerIdentity? Authenticate(string presentedKey) => Find(Hash(presentedKey));

    private ServerIdentity? Find(byte[] hash)
    {
        // Every entry is compared, each in constant time: how long this takes says nothing about the key.
        ServerIdentity? found = null;
        foreach (var (stored, identity) in _entries)
        {
            if (CryptographicOperations.FixedTimeEquals(stored, hash)) found = identity;
        }
        return found;
    }

    /// <summary>
    /// The identities of lever.yaml's <c>server:</c> section (<c>keys:</c>, then those of <c>keys_file:</c>, read relative to
    /// <paramref name="baseDirectory"/>); keys come from <paramref name="environment"/>. Errors cite the entry's file:line and
    /// name the variable, never its value.
    /// </summary>
    public static ServerKeyring FromSettings(ServerSettings settings, LeverConfig config, string baseDirectory, Func<string, string?> environment)
    {
        var keyring = new ServerKeyring();
        var nodes = config.SectionNode("server")?.Field("keys")?.Items ?? [];
        for (int i = 0; i < settings.Keys.Count; i++)
            keyring.AddEntry(settings.Keys[i], i < nodes.Count ? nodes[i] : config.Root, environment);
        if (settings.KeysFile is { } file)
        {
            var path = Path.GetFullPath(file, baseDirectory);
            if (!File.Exists(path)) throw config.ErrorAt("server.keys_file", $"{path} does not exist", "write the file (a `keys:` list as in lever.yaml), or remove keys_file");
            var root = LeverConfig.LoadFile(path);
            var entries = root.Bind<ServerKeysFile>()!;
            var fileNodes = root.Field("keys")?.Items ?? [];
            for (int i = 0; i < entries.Keys.Count; i++) keyring.AddEntry(entries.Keys[i], fileNodes[i], environment);
        }
        return keyring;
    }

    private void AddEntry(ServerKeyOptions entry, YamlNode node, Func<string, string?> environment)
    {
        if (string.IsNullOrWhiteSpace(entry.Id) || !entry.Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw node.ErrorAt("id", entry.Id is null ? "missing" : $"'{entry.Id}' is not a valid identity id", "name the identity with letters, digits, '-', '_' or '.', e.g. id: team-a");
        if (_entries.Any(e => e.Identity.Id == entry.Id))
            throw node.ErrorAt("id", $"identity '{entry.Id}' is defined twice", "give each key its own id");
        if ((entry.KeyEnv is null) == (entry.KeySha256 is null))
            throw node.ErrorAt("key_env", "give exactly one of key_env and key_sha256", "key_env: NAME_OF_THE_VARIABLE (the key is never written in a file), or key_sha256: <64 hex digits>");
        if (entry.Scopes.Count == 0)
            throw node.ErrorAt("scopes", "no scope: this key could do nothing", $"list what it may do, e.g. scopes: [chat, embeddings] (all: {string.Join(", ", ServerIdentity.AllScopes.Select(ServerIdentity.Name))})");
        byte[] hash;
        if (entry.KeyEnv is { } variable)
        {
            var key = environment(variable);
            if (string.IsNullOrEmpty(key))
                throw node.ErrorAt("key_env", $"${variable} is not set", $"export {variable}=<a long random key> before `lever serve`, or remove identity '{entry.Id}'");
            hash = Hash(key);
        }
        else
        {
            var hex = entry.KeySha256!.Trim();
            if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
                throw node.ErrorAt("key_sha256", "not a SHA-256 in hex (64 hex digits)", "write the output of `printf %s \"$KEY\" | sha256sum` (the first field)");
            hash = Convert.FromHexString(hex);
        }
        var identity = new ServerIdentity(entry.Id, entry.User, entry.Groups.ToList(), entry.Scopes.Distinct().ToList());
        if (Find(hash) is { } same)
            throw node.ErrorAt(entry.KeyEnv is null ? "key_sha256" : "key_env", $"identity '{entry.Id}' has the same key as '{same.Id}'", "give every identity its own key");
        _entries.Add((hash, identity));
    }
}
