using System.Text.Json;
using Lever.Core.Prices.Internal;
using Lever.Core;
using Lever.Core.Config;

namespace Lever.Core.Prices;

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
        using var stream = typeof(PriceBook).Assembly.GetManifestResourceStream("Lever.Core.pricebook.json")
            ?? throw new InvalidOperationException("embedded pricebook.json is missing from Lever.Advisor");
        using var doc = JsonDocument.Parse(stream);
        var root = doc.RootElement;
        var asOf = root.GetProperty("as_of").GetString()!;
        string Date(JsonElement e) => e.TryGetProperty("date", out var d) ? d.GetString()! : asOf;
        static double? Opt(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        static DateOnly? Day(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? DateOnly.ParseExact(v.GetString()!, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : null;

        var models = new Dictionary<string, ModelPrice>(StringComparer.Ordinal);
        foreach (var e in root.GetProperty("hosted_models").EnumerateArray())
        {
            var id = e.GetProperty("id").GetString()!;
            models[id] = new ModelPrice(id, e.GetProperty("input").GetDouble(), Opt(e, "cached_input"), Opt(e, "cache_write"), e.GetProperty("output").GetDouble(), e.GetProperty("source").GetString()!, Date(e))
            {
                CacheWrite1h = e.TryGetProperty("cache_write_1h", out var w1) ? w1.GetProperty("price").GetDouble() : null,
                CacheWrite1hSource = e.TryGetProperty("cache_write_1h", out var w2) ? $"{w2.GetProperty("source").GetString()}, {w2.GetProperty("date").GetString()}" : null,
                Latency = e.TryGetProperty("latency", out var l)
                    ? new HostedLatency(l.GetProperty("ttft_ms_median").GetDouble(), l.GetProperty("output_tokens_per_s_median").GetDouble(), l.GetProperty("source").GetString()!, l.GetProperty("date").GetString()!)
                    : null,
            };
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
            training[b] = new TrainingPrice(b, price, e.GetProperty("source").GetString()!, Date(e)) with
            {
                NewJobsUntil = e.TryGetProperty("availability", out var a) ? Day(a, "new_jobs_until") : null,
                InferenceUntil = e.TryGetProperty("availability", out var a2) ? Day(a2, "inference_until") : null,
                AvailabilitySource = e.TryGetProperty("availability", out var a3) ? $"{a3.GetProperty("source").GetString()}, read {a3.GetProperty("date").GetString()}" : null,
            };
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
    public PriceBook WithOverrides(string file, string leverYaml) =>
        YamlNode.Parse(file, leverYaml, "field").Field("prices") is { } prices ? WithOverrides(prices) : this;

    /// <summary>The embedded book with the <c>prices:</c> overrides of <paramref name="config"/>'s file, when it exists: what a workspace prices with.</summary>
    public static PriceBook For(LeverConfig config) =>
        File.Exists(config.Path) ? Default.WithOverrides(config.Path, File.ReadAllText(config.Path)) : Default;

    /// <summary>Token prices of model <paramref name="id"/> (<c>ft:</c> ids as fine-tuned models), or null when the book does not list it.</summary>
    public TokenPrices? TokenPrices(string id)
    {
        var price = id.StartsWith("ft:", StringComparison.Ordinal) ? FineTuned(id) : Model(id);
        return price is null ? null : new TokenPrices(price.Input, price.CachedInput, price.Output);
    }

    internal PriceBook WithOverrides(YamlNode prices)
    {
        var o = prices.Bind<PriceOverrides>()!;
        var models = new Dictionary<string, ModelPrice>(_models, StringComparer.Ordinal);
        var ft = new Dictionary<string, ModelPrice>(_fineTuned, StringComparer.Ordinal);
        var training = new Dictionary<string, TrainingPrice>(_training, StringComparer.Ordinal);
        var embeddings = new Dictionary<string, EmbeddingPrice>(_embeddings, StringComparer.Ordinal);
        var gpu = Gpu;
        var cpu = Cpu;
        var local = $"{prices.File} prices";
        const string Unit = "USD per 1M tokens";
        LeverUserException Missing(string field, string what) => prices.ErrorAt(field, what, $"add it ({Unit}) or remove the entry");

        void Models(string key, Dictionary<string, ModelPriceOverride>? given, Dictionary<string, ModelPrice> into)
        {
            foreach (var (id, e) in given ?? [])
            {
                var old = into.GetValueOrDefault(id);
                var input = e.Input ?? old?.Input ?? throw Missing($"{key}.{id}.input", $"is required for '{id}', which is not in the default price book");
                var output = e.Output ?? old?.Output ?? throw Missing($"{key}.{id}.output", $"is required for '{id}', which is not in the default price book");
                into[id] = new ModelPrice(id, input, e.CachedInput ?? old?.CachedInput, e.CacheWrite ?? old?.CacheWrite, output,
                    e.Source ?? $"{local}.{key}.{id}", e.Date ?? "(lever.yaml)")
                { CacheWrite1h = old?.CacheWrite1h, CacheWrite1hSource = old?.CacheWrite1hSource, Latency = old?.Latency };
            }
        }

        Models("models", o.Models, models);
        Models("fine_tuned", o.FineTuned, ft);
        foreach (var (id, e) in o.Training ?? [])
        {
            var price = e.Price ?? throw Missing($"training.{id}.price", "is required (USD per 1M training tokens)");
            var before = training.GetValueOrDefault(id);
            training[id] = new TrainingPrice(id, price, e.Source ?? $"{local}.training.{id}", e.Date ?? "(lever.yaml)")
            { NewJobsUntil = before?.NewJobsUntil, InferenceUntil = before?.InferenceUntil, AvailabilitySource = before?.AvailabilitySource };
        }
        foreach (var (id, e) in o.Embeddings ?? [])
        {
            var input = e.Input ?? throw Missing($"embeddings.{id}.input", $"is required ({Unit})");
            embeddings[id] = new EmbeddingPrice(id, input, e.Source ?? $"{local}.embeddings.{id}", e.Date ?? "(lever.yaml)");
        }
        if (o.Compute is { } co)
        {
            var source = co.Source ?? $"{local}.compute";
            var date = co.Date ?? "(lever.yaml)";
            if (co.GpuUsdPerHour is { } g) gpu = new ComputePrice(co.GpuName ?? "gpu", g, source, date);
            if (co.CpuUsdPerHour is { } c) cpu = new ComputePrice("cpu_vcpu", c, source, date);
        }
        return new PriceBook(AsOf, models, ft, training, embeddings, gpu, cpu,
            o.CacheReadFraction ?? CacheReadFraction, o.CacheWritePremium ?? CacheWritePremium, "embedded default + " + local);
    }
}
