namespace Lever.Server;

/// <summary>
/// Models that join the server while it runs (fine-tuned adapters when their jobs succeed): the catalogue asks it for an
/// id it does not serve itself, and /v1/models lists its ids after the fixed ones. Ids are matched exactly.
/// </summary>
public interface IServedModelSource
{
    /// <summary>The ids served now.</summary>
    IReadOnlyList<string> Ids { get; }

    /// <summary>The model served as <paramref name="id"/>, or null.</summary>
    ServedModel? Find(string id);
}
