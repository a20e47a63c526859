using Lever.Core.Prices;
using System.Globalization;
using Lever.Core;
using Lever.Core.Levers;

namespace Lever.Advisor.Internal;

/// <summary>
/// Prices every lever for one workload. Each figure carries a basis string naming its inputs, the price-book
/// entries (source, date) and the policy fields it used, so any number in the report can be traced back.
/// Formulas follow the seed articles' cost tables: prompt-only = tokens; caching = reads at the cached price
/// (≈10% of input) and writes at the write price where one is charged; RAG = embedding + retrieved context;
/// fine-tuning = training tokens × price (hosted) or GPU hours (self-hosted) + fine-tuned inference.
/// </summary>
internal sealed class CostModel
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly Workload _w;
    private readonly PriceBook _b;
    private readonly AdvisorPolicy _p;
    private readonly IReadOnlyList<RecipeEvidence> _evidence;
    private readonly ModelPrice? _current;
    private readonly DateOnly _today;

    public CostModel(Workload w, PriceBook b, AdvisorPolicy p, IReadOnlyList<RecipeEvidence> evidence, DateOnly today)
    {
        _today = today;
        _w = w;
        _b = b;
        _p = p;
        _evidence = evidence;
        _current = b.Model(w.Model.Current);
        if (_current is null && w.Model.SelfHostedParamsB is null)
            throw new LeverUserException(
                $"workload field 'model.current': '{w.Model.Current}' is not in the price book",
                $"add it under prices.models in lever.yaml (input/output USD per 1M tokens), or set model.self_hosted_params_b to price it as a local model on GPUs; known ids: {string.Join(", ", b.ModelIds)}");
        Data = Sufficiency(w, p);
    }

    public DataSufficiency Data { get; }

    private double R => _w.Traffic.RequestsPerMonth;
    private double I => _w.Traffic.InputTokens;
    private double O => _w.Traffic.OutputTokens;
    private double S => _w.Traffic.SharedPrefixTokens;
    private double K => _w.Knowledge.CorpusTokens;
    public bool KnowledgeFitsInline => K <= _p["knowledge.inline_max_tokens"];
    private double Inline => KnowledgeFitsInline ? K : 0;
    private double Hours => _p["compute.hours_per_month"];
    public double OpenParamsB => _w.Model.SelfHostedParamsB ?? _p["fine_tune.default_open_params_b"];
    public double GpuMemoryGb => _w.Constraints.GpuMemoryGb ?? _p["fine_tune.default_gpu_memory_gb"];
    public double RagContextTokens => Math.Min(_p["rag.top_k"] * _p["rag.chunk_tokens"], Math.Max(K, 0));

    /// <summary>
    /// Cloud with hosted fine-tuning prices for the small model, an offer open long enough to plan on (not closed or
    /// closing on the advice's date), and no explicit self-hosting request.
    /// </summary>
    public bool HostedFineTune =>
        _w.Constraints.Deployment == Deployment.Cloud
        && _b.Training(_w.Model.Small) is not null && _b.FineTuned(_w.Model.Small) is not null
        && HostedOfferBlocked is null
        && !(_w.Model.SelfHostedParamsB is not null && _w.Constraints.GpuMemoryGb is not null);

    /// <summary>Why the small model's hosted fine-tuning offer cannot be planned on the advice's date (closed or closing), or null.</summary>
    public string? HostedOfferBlocked => _w.Constraints.Deployment == Deployment.Cloud
        ? _b.Training(_w.Model.Small)?.Unavailable(_today, _p["offers.min_open_days"])
        : null;

    /// <summary>GB of GPU memory fine-tuning the open model needs with <paramref name="bytesKey"/> per parameter.</summary>
    public double MemoryGb(string bytesKey) => OpenParamsB * _p[bytesKey] * _p["fine_tune.memory_overhead"];

    public static DataSufficiency Sufficiency(Workload w, AdvisorPolicy p)
    {
        var (band, scale) = w.Task.Kind switch
        {
            TaskKind.Classification or TaskKind.Routing => ("classification", Math.Max(1, (w.Task.Classes ?? 10) / 10.0)),
            TaskKind.Extraction or TaskKind.Code => ("extraction", 1.0),
            _ => ("style_format", 1.0),
        };
        var basis = $"policy data_bands.{band} [seed: 'three levers' data table]{(scale > 1 ? $", scaled ×{scale:0.#} for {w.Task.Classes} classes" : "")}";
        return new DataSufficiency(band, Math.Ceiling(p[$"data_bands.{band}.min"] * scale), Math.Ceiling(p[$"data_bands.{band}.recommended"] * scale), w.Data.LabeledExamples, basis);
    }

    public IReadOnlyList<LeverOption> All() =>
    [
        Prompt(), PromptCaching(), Rag(), FineTune(LeverKind.FineTuneLora), FineTune(LeverKind.FineTuneQlora), FineTune(LeverKind.FineTuneFull),
        Distill(), ContinuedPretraining(), TrainFromScratch(), Hybrid(),
    ];

    // ---- serving ---------------------------------------------------------------------------------------------

    private sealed record Serving(string Model, string Route, bool Small, Func<double, double> Monthly, Func<double, string> Basis, ModelPrice? Price = null);

    private static Serving Hosted(ModelPrice m, double inTok, double outTok, bool small) => new(
        m.Id, "api", small,
        r => r * (inTok * m.Input + outTok * m.Output) / 1e6,
        r => $"{N(r)} req × ({N(inTok)} in × ${m.Input}/1M + {N(outTok)} out × ${m.Output}/1M) [{m.Cite}]", m);

    /// <summary>
    /// Own GPUs: autoscaled GPU-hours for the tokens served, never below one replica kept up all month.
    /// Prefill is cheaper than decode per token (policy compute.prefill_token_weight).
    /// </summary>
    private Serving SelfHosted(string model, double paramsB, double inTok, double outTok, string bytesKey)
    {
        var perReplica = Math.Ceiling(paramsB * _p[bytesKey] * _p["fine_tune.memory_overhead"] / GpuMemoryGb);
        var perGpuHour = _p["compute.serving_tokens_per_s_per_gpu_at_8b"] * 8 / paramsB * 3600 * _p["compute.serving_utilization"];
        var weight = _p["compute.prefill_token_weight"];
        double GpuHours(double r) => Math.Max(perReplica * Hours, r * (outTok + inTok * weight) / perGpuHour * perReplica);
        return new Serving(model, "self-hosted", paramsB <= 13, r => GpuHours(r) * _b.Gpu.UsdPerHour,
            r => $"max({perReplica:0} GPU × {Hours:0} h always on, {N(r)} req × ({N(outTok)} out + {N(inTok)} in × {weight}) tokens / {N(perGpuHour)} tokens per GPU-hour) = {N(GpuHours(r))} GPU-h × {_b.Gpu.Cite} "
                 + $"[{_p.Cite("compute.serving_tokens_per_s_per_gpu_at_8b")} scaled to {paramsB:0.#}B, {_p.Cite("compute.serving_utilization")}]");
    }

    private Serving CurrentServing(double inTok) =>
        _current is not null
            ? Hosted(_current, inTok, O, small: false)
            : SelfHosted(_w.Model.Current, _w.Model.SelfHostedParamsB!.Value, inTok, O, "fine_tune.lora_bytes_per_param");

    private Serving SmallTunedServing(double inTok, bool qlora = false) =>
        HostedFineTune && !qlora
            ? Hosted(_b.FineTuned(_w.Model.Small)!, inTok, O, small: true)
            : SelfHosted($"open {OpenParamsB:0.#}B + adapter", OpenParamsB, inTok, O, qlora ? "fine_tune.qlora_bytes_per_param" : "fine_tune.lora_bytes_per_param");

    // ---- levers ----------------------------------------------------------------------------------------------

    private LeverOption Prompt()
    {
        var serving = CurrentServing(I + Inline);
        var viable = K == 0 || KnowledgeFitsInline;
        return Option(LeverKind.Prompt, serving, [Eng("prompt_days", "prompt and few-shot work")], [], (I + Inline, O), 0,
            viable ? null : $"the knowledge ({N(K)} tokens) does not fit the prompt ({_p.Cite("knowledge.inline_max_tokens")})",
            K > 0 && KnowledgeFitsInline ? $"; prompt carries the {N(K)}-token knowledge inline" : "");
    }

    private LeverOption PromptCaching()
    {
        var prefix = S + Inline;
        var rest = I + Inline - prefix;
        if (_current is null || prefix < _p["caching.min_shared_prefix_tokens"])
        {
            // Nothing gets cached (self-hosted, or a prefix below the provider minimum): it costs what prompt-only costs.
            var local = CurrentServing(I + Inline);
            return Option(LeverKind.PromptCaching, local, [Eng("prompt_days", "prompt and few-shot work")], [], (I + Inline, O), 0,
                _current is null
                    ? "the current model is self-hosted: prefix caching is a serving optimisation there, priced as prompt-only"
                    : $"shared prefix {N(prefix)} tokens is below the cacheable minimum ({_p.Cite("caching.min_shared_prefix_tokens")}), priced as prompt-only");
        }
        var m = _current;
        var cached = m.CachedInput ?? m.Input * _b.CacheReadFraction;
        var cachedBasis = m.CachedInput is null ? $"{_b.CacheReadFraction} × input (price-book cache read fraction)" : "listed cached price";
        // Two cache lifetimes where the provider sells both: 5-minute writes (at CacheWrite, 1.25× input at Anthropic) and
        // 1-hour writes (2× input): at most one write per lifetime window with steady traffic; the cheaper is priced.
        var write = m.CacheWrite ?? m.Input;
        var writeBasis = m.CacheWrite is null ? "no write premium listed" : $"listed 5-minute write price ({m.CacheWrite / m.Input:0.##}× input)";
        double Writes(double r, double ttlMinutes) => Math.Min(r, Hours * 60 / ttlMinutes);
        double At(double r, double ttl, double price) =>
            (r * (rest * m.Input + O * m.Output) + Writes(r, ttl) * prefix * price + (r - Writes(r, ttl)) * prefix * cached) / 1e6;
        var ttl5 = _p["caching.ttl_minutes"];
        bool Hour(double r) => m.CacheWrite1h is { } w1 && At(r, 60, w1) < At(r, ttl5, write);
        double Monthly(double r) => Hour(r) ? At(r, 60, m.CacheWrite1h!.Value) : At(r, ttl5, write);
        var serving = new Serving(m.Id, "api", false, Monthly,
            r =>
            {
                var (ttl, price, what) = Hour(r)
                    ? (60.0, m.CacheWrite1h!.Value, $"1-hour write price ({m.CacheWrite1h / m.Input:0.##}× input: {m.CacheWrite1hSource})")
                    : (ttl5, write, writeBasis);
                return $"{N(r)} req × ({N(rest)} uncached in × ${m.Input}/1M + {N(O)} out × ${m.Output}/1M) + {N(Writes(r, ttl))} cache writes × {N(prefix)} prefix × ${price:0.####}/1M ({what}) "
                     + $"+ {N(r - Writes(r, ttl))} cache reads × {N(prefix)} × ${cached:0.####}/1M ({cachedBasis}) [{m.Cite}; writes ≤ one per {ttl:0}-minute cache lifetime]";
            }, m);
        return Option(LeverKind.PromptCaching, serving, [Eng("prompt_days", "prompt and few-shot work")], [], (I + Inline, O), 0,
            K > 0 && !KnowledgeFitsInline ? $"the knowledge ({N(K)} tokens) does not fit the prompt" : null);
    }

    private (List<CostItem> OneTime, List<CostItem> Fixed, Func<double, double> Embed, Func<double, string> EmbedBasis) RagParts()
    {
        var embedId = _p.Text("rag.embedding_model");
        var e = _b.Embedding(embedId) ?? throw new LeverUserException($"policy field 'rag.embedding_model': '{embedId}' is not in the price book", "add it under prices.embeddings in lever.yaml");
        var updates = UpdatesPerMonth(_w.Knowledge.Changes);
        var oneTime = new List<CostItem>
        {
            new("embed corpus", K * e.Input / 1e6, $"{N(K)} tokens × ${e.Input}/1M [{e.Cite}]"),
            Eng("rag.build_days", "ingestion, chunking, index, citations"),
        };
        var reembed = K * _p["rag.changed_fraction_per_update"] * updates * e.Input / 1e6;
        var fixedCosts = new List<CostItem>
        {
            new("re-embed changes", reembed, $"{N(K)} tokens × {_p.Cite("rag.changed_fraction_per_update")} × {updates:0.##} updates/month (changes: {Names.Snake(_w.Knowledge.Changes)}) × ${e.Input}/1M [{e.Cite}]"),
            new("index hosting", _p["rag.index_vcpus"] * Hours * _b.Cpu.UsdPerHour, $"{_p.Cite("rag.index_vcpus")} × {Hours:0} h × {_b.Cpu.Cite}"),
        };
        return (oneTime, fixedCosts, r => r * I * e.Input / 1e6, r => $" + {N(r)} query embeddings × {N(I)} tokens × ${e.Input}/1M");
    }

    private LeverOption Rag()
    {
        var c = RagContextTokens;
        var (oneTime, fixedCosts, embed, embedBasis) = RagParts();
        var baseServing = CurrentServing(I + c);
        var serving = baseServing with { Monthly = r => baseServing.Monthly(r) + embed(r), Basis = r => baseServing.Basis(r) + embedBasis(r) };
        return Option(LeverKind.Rag, serving, oneTime, fixedCosts, (I + c, O), _p["rag.retrieval_ms"],
            K > 0 ? null : "no knowledge corpus declared (knowledge.corpus_tokens = 0)",
            $"; {N(c)} retrieved tokens = {_p.Cite("rag.top_k")} × {_p.Cite("rag.chunk_tokens")}");
    }

    private double TunedInput => I - S * (1 - _p["fine_tune.prefix_kept_fraction"]) + Inline;

    /// <summary>Training cost of one run on <paramref name="examples"/> examples for the given method.</summary>
    private CostItem Training(LeverKind method, double examples, string what)
    {
        var tokens = examples * (TunedInput + O) * _p["fine_tune.epochs"];
        var tokenBasis = $"{N(examples)} examples × ({N(TunedInput)} in + {N(O)} out) × {_p.Cite("fine_tune.epochs")} = {N(tokens)} training tokens";
        if (method == LeverKind.FineTuneLora && HostedFineTune)
        {
            var t = _b.Training(_w.Model.Small)!;
            return new CostItem(what, tokens / 1e6 * t.PerMillionTokens, $"{tokenBasis} × ${t.PerMillionTokens}/1M [{t.Cite}]");
        }
        var (bytesKey, fractionKey) = method switch
        {
            LeverKind.FineTuneQlora => ("fine_tune.qlora_bytes_per_param", "fine_tune.qlora_compute_fraction"),
            LeverKind.FineTuneFull => ("fine_tune.full_bytes_per_param", ""),
            _ => ("fine_tune.lora_bytes_per_param", "fine_tune.lora_compute_fraction"),
        };
        var fraction = fractionKey.Length == 0 ? 1.0 : _p[fractionKey];
        return GpuRun(what, tokens, fraction, Math.Ceiling(MemoryGb(bytesKey) / GpuMemoryGb), tokenBasis + (fractionKey.Length == 0 ? "" : $", {_p.Cite(fractionKey)}"));
    }

    private CostItem GpuRun(string what, double tokens, double fraction, double gpus, string tokenBasis)
    {
        var flops = _p["compute.flops_per_param_token"] * OpenParamsB * 1e9 * tokens * fraction;
        var rate = gpus * _p["compute.gpu_peak_tflops"] * 1e12 * _p["compute.mfu"];
        var hours = Math.Max(_p["compute.min_billed_gpu_hours"], flops / rate / 3600);
        return new CostItem(what, hours * gpus * _b.Gpu.UsdPerHour,
            $"{tokenBasis}; {_p.Cite("compute.flops_per_param_token")} × {OpenParamsB:0.#}B params → {flops:0.##e0} FLOPs on {gpus:0} GPU × {_p.Cite("compute.gpu_peak_tflops")} × {_p.Cite("compute.mfu")} = {hours:0.#} h × {gpus:0} GPU × {_b.Gpu.Cite}");
    }

    private List<CostItem> Labelling()
    {
        var missing = Data.MissingExamples;
        return missing <= 0 ? [] : [new("label missing examples", missing * _p["engineering.label_usd_per_example"], $"{N(missing)} examples to reach the {Data.Band} minimum × {_p.Cite("engineering.label_usd_per_example")}")];
    }

    private List<CostItem> Upkeep(CostItem training) =>
    [
        new("retraining", training.Usd * _p["fine_tune.retrains_per_year"] / 12, $"{training.Name} ${training.Usd:0.##} × {_p.Cite("fine_tune.retrains_per_year")} / 12"),
        new("model ops", _p["fine_tune.ops_usd_per_month"], _p.Cite("fine_tune.ops_usd_per_month") + " (registry, monitoring, drift evals)"),
    ];

    private LeverOption FineTune(LeverKind method)
    {
        var examples = Math.Max(Data.HaveExamples, Data.MinExamples);
        var training = Training(method, examples, "training run");
        var daysKey = method == LeverKind.FineTuneFull ? "full_fine_tune_days" : "fine_tune_days";
        var oneTime = new List<CostItem> { Eng(daysKey, "dataset, training, evaluation") };
        oneTime.AddRange(Labelling());
        oneTime.Add(training);
        var serving = method switch
        {
            LeverKind.FineTuneLora => SmallTunedServing(TunedInput),
            LeverKind.FineTuneQlora => SmallTunedServing(TunedInput, qlora: true),
            _ => SelfHosted($"open {OpenParamsB:0.#}B (full fine-tune)", OpenParamsB, TunedInput, O, "fine_tune.lora_bytes_per_param"),
        };
        string? whyNot = null;
        if (method == LeverKind.FineTuneLora && !HostedFineTune && MemoryGb("fine_tune.lora_bytes_per_param") > GpuMemoryGb)
            whyNot = $"LoRA on {OpenParamsB:0.#}B needs ≈{MemoryGb("fine_tune.lora_bytes_per_param"):0} GB, more than the {GpuMemoryGb:0} GB GPU: use QLoRA";
        if (method == LeverKind.FineTuneQlora && MemoryGb("fine_tune.qlora_bytes_per_param") > GpuMemoryGb)
            whyNot = $"even QLoRA on {OpenParamsB:0.#}B needs ≈{MemoryGb("fine_tune.qlora_bytes_per_param"):0} GB, more than the {GpuMemoryGb:0} GB GPU: pick a smaller open model";
        if (method == LeverKind.FineTuneLora && HostedFineTune && _w.Constraints.Deployment == Deployment.OnPrem)
            whyNot = "on-prem deployment rules out hosted fine-tuning";
        return Option(method, serving, oneTime, Upkeep(training), (TunedInput, O), 0, whyNot,
            S > 0 ? $"; tuned prompt keeps {_p.Cite("fine_tune.prefix_kept_fraction")} of the {N(S)}-token shared prefix" : "");
    }

    private LeverOption Distill()
    {
        var examples = Data.RecommendedExamples;
        var teacher = CurrentServing(I + Inline);
        var labels = new CostItem("teacher labels", teacher.Monthly(examples), $"{N(examples)} inputs answered by {_w.Model.Current} (top of the {Data.Band} band): {teacher.Basis(examples)}");
        var training = Training(LeverKind.FineTuneLora, examples, "student training");
        var upkeepTraining = training with { Usd = training.Usd + labels.Usd, Name = "relabel + retrain" };
        return Option(LeverKind.Distill, SmallTunedServing(TunedInput), [Eng("distill_days", "teacher labelling pipeline, student training, evaluation"), labels, training],
            Upkeep(upkeepTraining), (TunedInput, O), 0, null, "");
    }

    private LeverOption ContinuedPretraining()
    {
        var u = Math.Max(_w.Data.UnlabeledDomainTokens, _p["continued_pretraining.min_unlabeled_tokens"]);
        var gpus = Math.Ceiling(MemoryGb("fine_tune.full_bytes_per_param") / GpuMemoryGb);
        var cpt = GpuRun("continued pre-training", u, 1.0, gpus,
            $"{N(u)} domain tokens ({(_w.Data.UnlabeledDomainTokens >= u ? "declared" : _p.Cite("continued_pretraining.min_unlabeled_tokens"))})");
        var instruct = SelfHostedLoraRun(Math.Max(Data.HaveExamples, Data.MinExamples), "instruction tuning (LoRA)");
        var oneTime = new List<CostItem> { Eng("continued_pretraining_days", "corpus cleaning, training, forgetting checks"), cpt, instruct };
        oneTime.AddRange(Labelling());
        var serving = SelfHosted($"open {OpenParamsB:0.#}B (domain-adapted)", OpenParamsB, TunedInput, O, "fine_tune.lora_bytes_per_param");
        return Option(LeverKind.ContinuedPretraining, serving, oneTime, Upkeep(instruct), (TunedInput, O), 0,
            _w.Data.UnlabeledDomainTokens > 0 ? null : "no unlabeled domain corpus declared (data.unlabeled_domain_tokens = 0); priced at the policy minimum", "");
    }

    private CostItem SelfHostedLoraRun(double examples, string what)
    {
        var tokens = examples * (TunedInput + O) * _p["fine_tune.epochs"];
        return GpuRun(what, tokens, _p["fine_tune.lora_compute_fraction"], Math.Ceiling(MemoryGb("fine_tune.lora_bytes_per_param") / GpuMemoryGb),
            $"{N(examples)} examples × ({N(TunedInput)} in + {N(O)} out) × {_p.Cite("fine_tune.epochs")} = {N(tokens)} tokens, {_p.Cite("fine_tune.lora_compute_fraction")}");
    }

    private LeverOption TrainFromScratch()
    {
        var optimal = _p["train_from_scratch.tokens_per_param"] * OpenParamsB * 1e9;
        var tokens = Math.Max(_w.Data.UnlabeledDomainTokens, optimal);
        var run = GpuRun("pre-training", tokens, 1.0, _p["train_from_scratch.gpus"],
            $"{N(tokens)} tokens (max of declared {N(_w.Data.UnlabeledDomainTokens)} and {_p.Cite("train_from_scratch.tokens_per_param")} × {OpenParamsB:0.#}B)");
        var instruct = SelfHostedLoraRun(Math.Max(Data.HaveExamples, Data.MinExamples), "instruction tuning (LoRA)");
        var serving = SelfHosted($"own {OpenParamsB:0.#}B model", OpenParamsB, TunedInput, O, "fine_tune.lora_bytes_per_param");
        var needed = _w.Task.Symptoms.Contains(Symptom.UnsupportedLanguage);
        return Option(LeverKind.TrainFromScratch, serving, [Eng("train_from_scratch_days", "data pipeline, tokenizer, pre-training, evaluation"), run, instruct],
            Upkeep(instruct), (TunedInput, O), 0,
            needed ? null : "the model already handles the language: from-scratch training only pays for an unsupported language or modality", "");
    }

    private LeverOption Hybrid()
    {
        var c = RagContextTokens;
        var (ragOnce, ragFixed, embed, embedBasis) = RagParts();
        var examples = Math.Max(Data.HaveExamples, Data.MinExamples);
        var inTok = TunedInput - Inline + c;
        var training = Training(LeverKind.FineTuneLora, examples, "training run");
        var oneTime = new List<CostItem>(ragOnce) { Eng("fine_tune_days", "dataset, training, evaluation") };
        oneTime.AddRange(Labelling());
        oneTime.Add(training);
        var fixedCosts = new List<CostItem>(ragFixed);
        fixedCosts.AddRange(Upkeep(training));
        var baseServing = SmallTunedServing(inTok);
        var serving = baseServing with { Monthly = r => baseServing.Monthly(r) + embed(r), Basis = r => baseServing.Basis(r) + embedBasis(r) };
        return Option(LeverKind.Hybrid, serving, oneTime, fixedCosts, (inTok, O), _p["rag.retrieval_ms"],
            K > 0 ? null : "no knowledge corpus declared (knowledge.corpus_tokens = 0)", $"; fine-tuned model with {N(c)} retrieved tokens");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private LeverOption Option(LeverKind lever, Serving serving, IReadOnlyList<CostItem> oneTime, IReadOnlyList<CostItem> fixedCosts,
        (double In, double Out) tokens, double extraLatencyMs, string? whyNot, string basisNote = "")
    {
        var monthly = serving.Monthly;
        var basis = serving.Basis(R) + basisNote;
        // Evidence applies to an option only when its model and route match (or the evidence does not say): a local
        // model's row never sets a hosted option's cost or latency.
        var measured = _evidence.FirstOrDefault(e => e.Lever == lever && e.CostPer1kUsd is not null && Matches(e, serving.Model, serving.Route));
        if (measured is not null)
        {
            var per1k = measured.CostPer1kUsd!.Value;
            monthly = r => r * per1k / 1000;
            basis = $"{N(R)} req × ${per1k:0.####} per 1k answers measured by {measured.Cite}";
        }
        if (whyNot is null && K > 0 && !KnowledgeFitsInline && lever is not (LeverKind.Rag or LeverKind.Hybrid or LeverKind.Prompt or LeverKind.PromptCaching))
            whyNot = $"the {N(K)}-token knowledge neither fits the prompt nor is retrieved: the facts would have to live in the weights";
        var fixedSum = fixedCosts.Sum(c => c.Usd);
        var (latency, latencyBasis) = Latency(serving.Small, tokens.In, tokens.Out, extraLatencyMs, serving.Price);
        var measuredLatency = _evidence.FirstOrDefault(e => e.Lever == lever && e.LatencyP95Ms is not null && Matches(e, serving.Model, serving.Route));
        if (measuredLatency is not null)
        {
            latency = measuredLatency.LatencyP95Ms!.Value;
            latencyBasis = $"measured p95 by {measuredLatency.Cite}";
        }
        return new LeverOption
        {
            Lever = lever, Model = serving.Model, Route = serving.Route, Viable = whyNot is null, WhyNot = whyNot,
            OneTime = oneTime, MonthlyFixed = fixedCosts, Usage = new CostItem("usage", monthly(R), basis), RequestsPerMonth = R,
            MonthlyAt = r => fixedSum + monthly(r), LatencyP95Ms = latency, LatencyBasis = latencyBasis,
        };
    }

    /// <summary>Whether measured row <paramref name="e"/> describes an option served by <paramref name="model"/> over <paramref name="route"/>: what it does not state, it does not contradict.</summary>
    public static bool Matches(RecipeEvidence e, string model, string route)
    {
        if (e.Route is { } r && !string.Equals(r, route, StringComparison.Ordinal)) return false;
        if (e.ModelId is not { } id) return true;
        var name = id.Contains('/', StringComparison.Ordinal) ? id[(id.IndexOf('/', StringComparison.Ordinal) + 1)..] : id;
        return string.Equals(name, model, StringComparison.Ordinal);
    }

    /// <summary>
    /// <paramref name="o"/> as the measured recipe <paramref name="e"/> ran it (its model, route, cost per answer, training
    /// cost and latency), for a primary chosen from evidence that does not match the lever's generic option.
    /// </summary>
    public LeverOption AsMeasured(LeverOption o, RecipeEvidence e)
    {
        if (Matches(e, o.Model, o.Route) && e.Lever == o.Lever) return o;
        var per1k = e.CostPer1kUsd ?? 0;
        IReadOnlyList<CostItem> once = e.TrainingUsd is { } t ? [new CostItem("training (measured)", t, $"measured by {e.Cite}")] : [];
        return o with
        {
            Model = e.ModelId ?? e.Model ?? o.Model, Route = e.Route ?? o.Route, Viable = true, WhyNot = null, OneTime = once, MonthlyFixed = [],
            Usage = new CostItem("usage", R * per1k / 1000, e.CostPer1kUsd is null ? $"no cost measured by {e.Cite}" : $"{N(R)} req × ${per1k:0.########} per 1k answers measured by {e.Cite}"),
            MonthlyAt = r => r * per1k / 1000,
            LatencyP95Ms = e.LatencyP95Ms ?? o.LatencyP95Ms,
            LatencyBasis = e.LatencyP95Ms is null ? o.LatencyBasis : $"measured p95 by {e.Cite}",
        };
    }

    /// <summary>The classical baseline as an option, priced as measured by row <paramref name="e"/> (nothing to estimate without one).</summary>
    public LeverOption Baseline(RecipeEvidence e)
    {
        var per1k = e.CostPer1kUsd ?? 0;
        IReadOnlyList<CostItem> once = e.TrainingUsd is { } t ? [new CostItem("training (measured)", t, $"measured by {e.Cite}")] : [];
        return new LeverOption
        {
            Lever = LeverKind.Baseline, Model = e.ModelId ?? e.Model ?? "classical model (no LLM)", Route = e.Route ?? "self-hosted",
            OneTime = once, MonthlyFixed = [], RequestsPerMonth = R,
            Usage = new CostItem("usage", R * per1k / 1000, e.CostPer1kUsd is null ? $"no cost measured by {e.Cite}" : $"{N(R)} req × ${per1k:0.########} per 1k answers measured by {e.Cite}"),
            MonthlyAt = r => r * per1k / 1000,
            LatencyP95Ms = e.LatencyP95Ms ?? 0, LatencyBasis = e.LatencyP95Ms is null ? "not measured" : $"measured p95 by {e.Cite}",
        };
    }

    private (double Ms, string Basis) Latency(bool small, double inTok, double outTok, double extraMs, ModelPrice? hosted)
    {
        // A hosted model with a benchmarked speed in the price book: its medians, stretched to a p95 by the policy's tail factor.
        var basis = hosted?.Latency ?? (hosted is not null && _b.Model(hosted.Id.StartsWith("ft:", StringComparison.Ordinal) ? hosted.Id[3..] : hosted.Id) is { Latency: { } baseSpeed } ? baseSpeed : null);
        if (basis is not null)
        {
            var f = _p["latency.p95_over_median"];
            var prefillMs = inTok / 1000 * _p["latency.prefill_ms_per_1k_tokens"];
            var decodeMs = outTok / (basis.OutputTokensPerSecondMedian / f) * 1000;
            var total = basis.TtftMsMedian * f + prefillMs + decodeMs + extraMs;
            return (total, $"{hosted!.Id}: ({basis.Cite}) × {_p.Cite("latency.p95_over_median")} for the tail: TTFT {basis.TtftMsMedian * f:0} ms + {N(inTok)} in × {_p.Cite("latency.prefill_ms_per_1k_tokens")}/1k + {N(outTok)} out at {basis.OutputTokensPerSecondMedian / f:0.#} tokens/s"
                           + (extraMs > 0 ? $" + {_p.Cite("rag.retrieval_ms")}" : ""));
        }
        var size = small ? "small" : "large";
        var ttft = _p[$"latency.ttft_ms_{size}"];
        var prefill = inTok / 1000 * _p["latency.prefill_ms_per_1k_tokens"];
        var decode = outTok / _p[$"latency.tokens_per_s_{size}"] * 1000;
        var ms = ttft + prefill + decode + extraMs;
        return (ms, $"no benchmarked speed for {(hosted?.Id ?? "this model")} in the price book: size-class estimate {_p.Cite($"latency.ttft_ms_{size}")} + {N(inTok)} in × {_p.Cite("latency.prefill_ms_per_1k_tokens")}/1k + {N(outTok)} out / {_p.Cite($"latency.tokens_per_s_{size}")}"
                    + (extraMs > 0 ? $" + {_p.Cite("rag.retrieval_ms")}" : ""));
    }

    private CostItem Eng(string daysKey, string what)
    {
        var key = daysKey.Contains('.', StringComparison.Ordinal) ? daysKey : "engineering." + daysKey;
        return new CostItem("engineering", _p[key] * _p["engineering.usd_per_day"], $"{_p.Cite(key)} × {_p.Cite("engineering.usd_per_day")} ({what})");
    }

    public double UpdatesPerMonth(ChangeFrequency c) => c switch
    {
        ChangeFrequency.Never => 0,
        ChangeFrequency.Yearly => 1.0 / 12,
        ChangeFrequency.Monthly => 1,
        ChangeFrequency.Weekly => 52.0 / 12,
        ChangeFrequency.Daily => Hours / 24,
        _ => Hours,
    };

    private static string N(double v) => v.ToString(v >= 100 || v == Math.Floor(v) ? "#,0" : "#,0.##", Inv);
}
