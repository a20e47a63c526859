using System.Text.Json;
using Lever.Advisor.Internal;
using Lever.Core;

namespace Lever.Advisor;

/// <summary>
/// Prices the advisor multiplies by. The default ships embedded (Resources/pricebook.json: public list prices,
/// each with its source and the date read); lever.yaml's <c>prices:</c> section overrides any entry and sets
/// the per-hour price of local CPU/GPU compute. Immutable: overrides return a new book.
/// </summary>
public sealed class PriceBook
{
    private readonly Dictionary<string, ModelPrice> _models;
    private readonly Dictionary<string, ModelPrice> _fineTuned;
    private readonly Dictionary<string, TrainingPrice> _training;
    private readonly Dictionary<string, EmbeddingPrice> _embeddings;

    private PriceBook(string asOf, Dictionary<string, ModelPrice> models, Dictionary<string, ModelPrice> fineTuned,
        Dictionary<string, TrainingPrice> training, Dictionary<string, EmbeddingPrice> embeddings, ComputePrice gpu, ComputePrice cpu,
        double cacheReadFraction, double cacheWritePremium, string origin)
    {
        AsOf = asOf;
        _models = models;
        _fineTuned = fineTuned;
        _training = training;
        _embeddings = embeddings;
        Gpu = gpu;
        Cpu = cpu;
        CacheReadFraction = cacheReadFraction;
        CacheWritePremium = cacheWritePremium;
        Origin = origin;
    }

    /// <summary>When the default figures were gathered.</summary>
    public string AsOf { get; }

    /// <summary>"embedded default" or "embedded default + lever.yaml prices:".</summary>
    public string Origin { get; }

    /// <summary>One GPU hour (self-hosted training and serving).</summary>
    public ComputePrice Gpu { get; }

    /// <summary>One vCPU hour (retrieval index hosting, CPU inference).</summary>
    public ComputePrice Cpu { get; }

    /// <summary>Cache reads as a fraction of the input price, for models that list no cached price (seed: ≈10%).</summary>
    public double CacheReadFraction { get; }

    /// <summary>Cache-write price as a multiple of input where a provider charges it (seed: ≈1.25×).</summary>
    public double CacheWritePremium { get; }

    /// <summary>Hosted model ids.</summary>
    public IEnumerable<string> ModelIds => _models.Keys;

    /// <summary>The embedded default book.</summary>
    public static PriceBook Default { get; } = LoadDefault();

    /// <summary>A hosted model's prices, or null.</summary>
    public ModelPrice? Model(string id) => _models.GetValueOrDefault(id);

    /// <summary>Inference prices of <paramref name="baseId"/> once fine-tuned (<c>ft:</c> entry), or null.</summary>
    public ModelPrice? FineTuned(string baseId) => _fineTuned.GetValueOrDefault(baseId.StartsWith("ft:", StringComparison.Ordinal) ? baseId : "ft:" + baseId);

    /// <summary>Hosted fine-tuning price for <paramref name="baseId"/>, or null.</summary>
    public TrainingPrice? Training(string baseId) => _training.GetValueOrDefault(baseId);

    /// <summary>An embedding model's price, or null.</summary>
    public EmbeddingPrice? Embedding(string id) => _embeddings.GetValueOrDefault(id);

    private static PriceBook LoadDefault()
    {
        using var stream = typeof(PriceBook).Assembly.GetManifestResourceStream("Lever.Advisor.pricebook.json")
            ?? throw new InvalidOperationException("embedded pricebook.json is missing from Lever.Advisor");
        using var doc = JsonDocument.Parse(stream);
        var root = doc.RootElement;
        var asOf = root.GetProperty("as_of").GetString()!;
        string Date(JsonElement e) => e.TryGetProperty("date", out var d) ? d.GetString()! : asOf;
        static double? Opt(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

        var models = new Dictionary<string, ModelPrice>(StringComparer.Ordinal);
        foreach (var e in root.GetProperty("hosted_models").EnumerateArray())
        {
            var id = e.GetProperty("id").GetString()!;
            models[id] = new ModelPrice(id, e.GetProperty("input").GetDouble(), Opt(e, "cached_input"), Opt(e, "cache_write"), e.GetProperty("output").GetDouble(), e.GetProperty("source").GetString()!, Date(e));
        }
        var ft = new Dictionary<string, ModelPrice>(StringComparer.Ordinal);
        foreach (var e in root.GetProperty("hosted_fine_tuned_inference").EnumerateArray())
        {
            var id = e.GetProperty("id").GetString()!;
            ft[id] = new ModelPrice(id, e.GetProperty("input").GetDouble(), Opt(e, "cached_input"), Opt(e, "cache_write"), e.GetProperty("output").GetDouble(), e.GetProperty("source").GetString()!, Date(e));
        }
        var training = new Dictionary<string, TrainingPrice>(StringComparer.Ordinal);
        foreach (var e in root.GetProperty("hosted_fine_tuning_training_per_1M_training_tokens").EnumerateArray())
        {
            // The open-weights row is a range for orientation, not a price of a named base: skip it here.
            if (Opt(e, "price") is not { } price) continue;
            var b = e.GetProperty("base").GetString()!;
            training[b] = new TrainingPrice(b, price, e.GetProperty("source").GetString()!, Date(e));
        }
        var embeddings = new Dictionary<string, EmbeddingPrice>(StringComparer.Ordinal);
        foreach (var e in root.GetProperty("embeddings").EnumerateArray())
        {
            var id = e.GetProperty("id").GetString()!;
            embeddings[id] = new EmbeddingPrice(id, e.GetProperty("input").GetDouble(), e.GetProperty("source").GetString()!, Date(e));
        }
        var figures = root.GetProperty("figures_from_the_seed_articles");
        var compute = root.GetProperty("compute_per_hour_usd_typical");
        // Ranges are typical on-demand prices; the midpoint is the default until lever.yaml states a contract price.
        double Mid(string key) => (compute.GetProperty(key)[0].GetDouble() + compute.GetProperty(key)[1].GetDouble()) / 2;
        var gpu = new ComputePrice("gpu (H100 80GB)", Mid("H100_80GB"), "pricebook compute_per_hour_usd_typical.H100_80GB midpoint", asOf);
        var cpu = new ComputePrice("cpu_vcpu", Mid("cpu_vcpu"), "pricebook compute_per_hour_usd_typical.cpu_vcpu midpoint", asOf);
        return new PriceBook(asOf, models, ft, training, embeddings, gpu, cpu,
            figures.GetProperty("prompt_cache_read_fraction_of_input").GetDouble(),
            figures.GetProperty("prompt_cache_write_premium").GetDouble(), "embedded default");
    }

    /// <summary>Applies lever.yaml's <c>prices:</c> section (YAML text of the whole lever.yaml); returns this book when absent.</summary>
    public PriceBook WithOverrides(string file, string leverYaml)
    {
        var root = YamlSection.Parse(file, leverYaml, "lever.yaml");
        return root.Section("prices") is { } prices ? WithOverrides(prices) : this;
    }

    internal PriceBook WithOverrides(YamlSection prices)
    {
        var models = new Dictionary<string, ModelPrice>(_models, StringComparer.Ordinal);
        var ft = new Dictionary<string, ModelPrice>(_fineTuned, StringComparer.Ordinal);
        var training = new Dictionary<string, TrainingPrice>(_training, StringComparer.Ordinal);
        var embeddings = new Dictionary<string, EmbeddingPrice>(_embeddings, StringComparer.Ordinal);
        var gpu = Gpu;
        var cpu = Cpu;
        var local = $"{prices.File} prices";

        void Models(string key, Dictionary<string, ModelPrice> into)
        {
            if (prices.Section(key) is not { } sec) return;
            foreach (var id in sec.Keys.ToArray())
            {
                var e = sec.Section(id)!;
                var old = into.GetValueOrDefault(id);
                var input = e.Number("input") ?? old?.Input ?? throw e.Error("input", $"is required for '{id}', which is not in the default price book");
                var output = e.Number("output") ?? old?.Output ?? throw e.Error("output", $"is required for '{id}', which is not in the default price book");
                into[id] = new ModelPrice(id, input, e.Number("cached_input") ?? old?.CachedInput, e.Number("cache_write") ?? old?.CacheWrite, output,
                    e.String("source") ?? $"{local}.{key}.{id}", e.String("date") ?? "(lever.yaml)");
                e.Done();
            }
        }

        Models("models", models);
        Models("fine_tuned", ft);
        if (prices.Section("training") is { } tr)
        {
            foreach (var id in tr.Keys.ToArray())
            {
                var e = tr.Section(id)!;
                var price = e.Number("price") ?? throw e.Error("price", "is required (USD per 1M training tokens)");
                training[id] = new TrainingPrice(id, price, e.String("source") ?? $"{local}.training.{id}", e.String("date") ?? "(lever.yaml)");
                e.Done();
            }
        }
        if (prices.Section("embeddings") is { } em)
        {
            foreach (var id in em.Keys.ToArray())
            {
                var e = em.Section(id)!;
                var input = e.Number("input") ?? throw e.Error("input", "is required (USD per 1M tokens)");
                embeddings[id] = new EmbeddingPrice(id, input, e.String("source") ?? $"{local}.embeddings.{id}", e.String("date") ?? "(lever.yaml)");
                e.Done();
            }
        }
        if (prices.Section("compute") is { } co)
        {
            var source = co.String("source") ?? $"{local}.compute";
            var date = co.String("date") ?? "(lever.yaml)";
            if (co.Number("gpu_usd_per_hour") is { } g) gpu = new ComputePrice(co.String("gpu_name") ?? "gpu", g, source, date);
            else co.String("gpu_name");
            if (co.Number("cpu_usd_per_hour") is { } c) cpu = new ComputePrice("cpu_vcpu", c, source, date);
            co.Done();
        }
        var read = prices.Number("cache_read_fraction", 0, 1) ?? CacheReadFraction;
        var premium = prices.Number("cache_write_premium", 1, 10) ?? CacheWritePremium;
        prices.Done();
        return new PriceBook(AsOf, models, ft, training, embeddings, gpu, cpu, read, premium, "embedded default + " + local);
    }
}
