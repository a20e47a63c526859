namespace Lever.Server;

/// <summary>A keys file (<c>server.keys_file</c>): a YAML file whose only field is <c>keys:</c>, entries as in lever.yaml.</summary>
public sealed class ServerKeysFile
{
    /// <summary>The identities.</summary>
    public List<ServerKeyOptions> Keys { get; set; } = [];
}
