namespace Lever.Server.Internal;

/// <summary>
/// The served model ids: a request names one (or none: the first), anything else is 404 model_not_found — unless the
/// catalogue is one unnamed model (anyId), which answers whatever id a request names.
/// </summary>
internal sealed class ModelCatalogue
{
    private readonly IReadOnlyList<ServedModel> _models;
    private readonly bool _anyId;
    private readonly IServedModelSource? _more;

    public ModelCatalogue(IReadOnlyList<ServedModel> models, bool anyId, IServedModelSource? more = null)
    {
        _more = more;
        _anyId = anyId && models.Count == 1;
        if (models.Count == 0) throw new ArgumentException("a server serves at least one model", nameof(models));
        if (models.GroupBy(m => m.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"model id '{twice.Key}' is served twice", nameof(models));
        _models = models;
    }

    public IEnumerable<string> Ids => _models.Select(m => m.Id).Concat(_more?.Ids ?? []);

    public ServedModel Resolve(string? id) =>
        id is null || _anyId ? _models[0]
        : _models.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.Ordinal)) ?? _more?.Find(id) ?? throw ApiErrorException.ModelNotFound(id, Ids);
}
