namespace Lever.Server.Internal;

/// <summary>
/// The served model ids: a request names one (or none: the first), anything else is 404 model_not_found — unless the
/// catalogue is one unnamed model (anyId), which answers whatever id a request names. Adapters are added and removed
/// while the server runs: readers see an immutable snapshot, changes swap it under a lock.
/// </summary>
internal sealed class ModelCatalogue
{
    private readonly Lock _lock = new();
    private readonly bool _anyId;
    private readonly IServedModelSource? _more;
    private volatile IReadOnlyList<ServedModel> _models;

    public ModelCatalogue(IReadOnlyList<ServedModel> models, bool anyId, IServedModelSource? more = null)
    {
        _more = more;
        _anyId = anyId && models.Count == 1;
        if (models.Count == 0) throw new ArgumentException("a server serves at least one model", nameof(models));
        if (models.GroupBy(m => m.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"model id '{twice.Key}' is served twice", nameof(models));
        _models = [.. models];
    }

    public IEnumerable<string> Ids => _models.Select(m => m.Id).Concat(_more?.Ids ?? []);

    /// <summary>The fixed and runtime-loaded models, then those of the extra source (fine-tuned models), for /v1/models.</summary>
    public IReadOnlyList<ServedModel> Models => _more is null ? _models : [.. _models, .. _more.Ids.Select(_more.Find).OfType<ServedModel>()];

    public ServedModel Resolve(string? id)
    {
        var models = _models;
        return id is null || _anyId ? models[0]
            : models.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.Ordinal)) ?? _more?.Find(id) ?? throw ApiErrorException.ModelNotFound(id, Ids);
    }

    public ServedModel? Find(string id) => _models.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.Ordinal));

    /// <summary>Adds <paramref name="model"/> unless its id is served; false when it is.</summary>
    public bool TryAdd(ServedModel model)
    {
        lock (_lock)
        {
            if (_models.Any(m => m.Id == model.Id)) return false;
            _models = [.. _models, model];
            return true;
        }
    }

    /// <summary>Removes the model <paramref name="id"/>; null when it is not served.</summary>
    public ServedModel? Remove(string id)
    {
        lock (_lock)
        {
            var model = _models.FirstOrDefault(m => m.Id == id);
            if (model is null) return null;
            _models = [.. _models.Where(m => !ReferenceEquals(m, model))];
            return model;
        }
    }
}
