using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Lever.Core;
using Lever.Training.Lora;
using Lever.Training.Runs;
using Lever.Training.Trainer;
using Spectre.Console;

namespace Lever.Cli.Commands;

/// <summary><c>lever train</c>: pre-train, continue pre-training, fine-tune fully, or train LoRA/QLoRA adapters.</summary>
internal sealed class TrainingTrainCommand : ILeverCommand
{
    public Command Create()
    {
        var method = new Option<string?>("--method") { Description = "pretrain | cpt | full | lora | qlora" };
        var model = new Option<string?>("--model", "-m") { Description = "base checkpoint folder (config.json + model.safetensors + tokenizer)" };
        var data = new Option<string?>("--data") { Description = "training JSONL: {\"text\"} (pretrain, cpt), {\"prompt\",\"completion\"} or {\"messages\"}" };
        var val = new Option<string?>("--val") { Description = "validation JSONL (default: a seeded slice of --data)" };
        var valFraction = new Option<double>("--val-fraction") { Description = "share of --data held out when there is no --val", DefaultValueFactory = _ => 0.1 };
        var output = new Option<string?>("--output", "-o") { Description = "output folder: the adapter or checkpoint, plus checkpoints/ and metrics.jsonl" };
        var resume = new Option<string?>("--resume") { Description = "continue the run in this output folder from its last checkpoint" };
        var steps = new Option<int?>("--steps") { Description = "optimizer steps" };
        var epochs = new Option<double?>("--epochs") { Description = "passes over the data (instead of --steps)" };
        var lr = new Option<double?>("--lr") { Description = "peak learning rate (default 3e-4 pretrain/cpt, 2e-5 full, 2e-4 lora/qlora)" };
        var batch = new Option<int>("--batch") { Description = "sequences per micro-batch", DefaultValueFactory = _ => 8 };
        var accum = new Option<int>("--grad-accum") { Description = "micro-batches per optimizer step", DefaultValueFactory = _ => 1 };
        var seqLen = new Option<int>("--seq-len") { Description = "tokens per sequence", DefaultValueFactory = _ => 256 };
        var seed = new Option<int>("--seed") { Description = "seed for data order, split, dropout and adapter init", DefaultValueFactory = _ => 42 };
        var warmup = new Option<int?>("--warmup") { Description = "warm-up steps (default 5% of the run)" };
        var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW weight decay on matrices", DefaultValueFactory = _ => 0.0 };
        var clip = new Option<double>("--max-grad-norm") { Description = "gradient clipping norm (0: off)", DefaultValueFactory = _ => 1.0 };
        var evalEvery = new Option<int>("--eval-every") { Description = "validate every N steps (0: only at the end)", DefaultValueFactory = _ => 50 };
        var evalBatches = new Option<int>("--eval-batches") { Description = "validation batches per evaluation", DefaultValueFactory = _ => 20 };
        var patience = new Option<int?>("--early-stopping") { Description = "stop after N evaluations without improvement" };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "checkpoint every N steps", DefaultValueFactory = _ => 50 };
        var rank = new Option<int>("--lora-r") { Description = "LoRA rank", DefaultValueFactory = _ => 8 };
        var alpha = new Option<double>("--lora-alpha") { Description = "LoRA alpha (scaling alpha/r)", DefaultValueFactory = _ => 16 };
        var dropout = new Option<double>("--lora-dropout") { Description = "LoRA dropout", DefaultValueFactory = _ => 0.05 };
        var targets = new Option<string>("--lora-targets") { Description = "comma-separated modules", DefaultValueFactory = _ => "q,k,v,o,gate,up,down" };
        var rslora = new Option<bool>("--rslora") { Description = "rank-stabilised scaling alpha/√r" };
        var noDoubleQuant = new Option<bool>("--no-double-quant") { Description = "QLoRA: keep block scales in float32" };
        var general = new Option<string?>("--general") { Description = "general text JSONL for the forgetting meter (default: the base model's pre-training validation text)" };
        var replay = new Option<double>("--replay") { Description = "fraction of each batch drawn from general text (forgetting remedy)", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "progress on stderr; the last stdout line is a JSON summary" };
        var precision = new Option<string>("--precision") { Description = "f32, or bf16: bfloat16 matmuls over float32 master weights (CPUs with AVX512_BF16/AMX)", DefaultValueFactory = _ => "f32" };
        var checkpointing = new Option<bool?>("--gradient-checkpointing") { Description = "recompute each decoder layer in the backward: much less activation memory, ~1/3 more compute (default: on for lora/qlora when activations dominate; `false` turns it off)" };
        var returnMemory = new Option<bool?>("--return-freed-memory") { Description = "hand freed heap blocks >= 64 KiB back to the OS at once (glibc mallopt) (default: on for lora/qlora when activations dominate)" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: libtorch's choice)" };
        var provider = new Option<string?>("--provider", "-p") { Description = "fine-tune on this OpenAI-compatible provider (lever.yaml providers:) through its fine-tuning API instead of locally: upload, create, follow, record" };
        var suffix = new Option<string?>("--suffix") { Description = "--provider: the suffix in the fine-tuned model's name" };
        var lrMultiplier = new Option<double?>("--lr-multiplier") { Description = "--provider: learning_rate_multiplier (default: the provider's auto)" };
        var register = new Option<string?>("--register") { Description = "registry name for the result (default: the output folder's name); base model and dataset are registered as its lineage" };

        var command = new Command("train", "Train a model: pretrain, cpt, full fine-tuning, LoRA or QLoRA. Crash-safe; --resume continues.")
        {
            method, model, data, val, valFraction, output, resume, steps, epochs, lr, batch, accum, seqLen, seed, warmup, weightDecay, clip,
            evalEvery, evalBatches, patience, checkpointEvery, rank, alpha, dropout, targets, rslora, noDoubleQuant, general, replay, json, threads, precision, checkpointing, returnMemory, register,
            provider, suffix, lrMultiplier,
        };
        command.SetAction((parse, ct) =>
        {
            if (parse.GetValue(provider) is { } hosted)
            {
                int? Explicit(Option<int> option) => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : null;
                return HostedTraining.Run(new HostedTraining.Request(hosted,
                    parse.GetValue(data) ?? throw new LeverUserException("--data is required", "a JSONL file of training examples"),
                    parse.GetValue(val), parse.GetValue(model), parse.GetValue(epochs) is { } ep ? (int)Math.Ceiling(ep) : null, Explicit(batch),
                    parse.GetValue(lrMultiplier), Explicit(seed), parse.GetValue(suffix), parse.GetValue(register), parse.GetValue(json)), ct);
            }
            if (parse.GetValue(threads) is { } n) TorchSharp.torch.set_num_threads(n);
            TrainingRunOptions options;
            var resumeDir = parse.GetValue(resume);
            if (resumeDir is not null)
            {
                options = TrainingRun.ReadOptions(resumeDir);
            }
            else
            {
                var m = ParseMethod(parse.GetValue(method) ?? throw new LeverUserException("--method is required", "pass --method pretrain|cpt|full|lora|qlora (or --resume OUT)"));
                options = new TrainingRunOptions
                {
                    Method = m,
                    Model = parse.GetValue(model) ?? throw new LeverUserException("-m/--model is required", "point it at a checkpoint folder (`lever model init` makes one)"),
                    Data = parse.GetValue(data) ?? throw new LeverUserException("--data is required", "a JSONL file of training examples"),
                    Validation = parse.GetValue(val),
                    ValidationFraction = parse.GetValue(valFraction),
                    Output = parse.GetValue(output) ?? throw new LeverUserException("-o/--output is required", "a folder for the result and checkpoints"),
                    Epochs = parse.GetValue(epochs),
                    General = parse.GetValue(general),
                    DoubleQuantization = !parse.GetValue(noDoubleQuant),
                    GradientCheckpointing = parse.GetValue(checkpointing),
                    ReturnFreedMemory = parse.GetValue(returnMemory),
                    Trainer = new TrainerOptions
                    {
                        Steps = parse.GetValue(steps) ?? 100,
                        BatchSize = parse.GetValue(batch),
                        GradientAccumulation = parse.GetValue(accum),
                        SeqLen = parse.GetValue(seqLen),
                        LearningRate = parse.GetValue(lr) ?? DefaultLearningRate(m),
                        WarmupSteps = parse.GetValue(warmup),
                        WeightDecay = parse.GetValue(weightDecay),
                        MaxGradNorm = parse.GetValue(clip),
                        EvalEvery = parse.GetValue(evalEvery),
                        EvalBatches = parse.GetValue(evalBatches),
                        EarlyStoppingPatience = parse.GetValue(patience),
                        CheckpointEvery = parse.GetValue(checkpointEvery),
                        Seed = parse.GetValue(seed),
                        ReplayFraction = parse.GetValue(replay),
                        Precision = ParsePrecision(parse.GetValue(precision)!),
                    },
                    Lora = new LoraOptions
                    {
                        Rank = parse.GetValue(rank),
                        Alpha = parse.GetValue(alpha),
                        Dropout = parse.GetValue(dropout),
                        TargetModules = parse.GetValue(targets)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                        UseRsLora = parse.GetValue(rslora),
                    },
                };
                if (options.Epochs is not null && parse.GetValue(steps) is not null)
                    throw new LeverUserException("--steps and --epochs both given", "pass one of them");
            }
            return Task.FromResult(Run(options, resumeDir is not null, parse.GetValue(json), parse.GetValue(register), ct));
        });
        return command;
    }

    private static int Run(TrainingRunOptions options, bool resume, bool json, string? register, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TrainingSummary summary;
        if (json || Console.IsOutputRedirected)
        {
            var progress = new LineProgress(json ? Console.Error : Console.Out);
            summary = TrainingRun.Run(options, resume, progress, msg => (json ? Console.Error : Console.Out).WriteLine(msg), ct);
        }
        else
        {
            summary = null!;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new PercentageColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("preparing", maxValue: 1);
                    var progress = new Callback(p =>
                    {
                        task.MaxValue = p.TotalSteps;
                        task.Value = p.Step;
                        task.Description = Markup.Escape(Describe(p));
                    });
                    summary = TrainingRun.Run(options, resume, progress, msg => AnsiConsole.MarkupLine(Markup.Escape(msg)), ct);
                });
        }

        // Lineage: the result, its base model and its dataset become registry versions (after the run, never failing it).
        if (summary.Stop != "interrupted") RegistryCli.RecordTraining(options, summary, clock.Elapsed, register);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(summary));
        }
        else
        {
            var t = new Table().Border(TableBorder.Rounded).AddColumns("", "");
            t.AddRow("method", summary.Method);
            t.AddRow("steps", Inv($"{summary.Steps} ({summary.Stop})"));
            t.AddRow("precision", summary.Precision);
            t.AddRow("memory", Markup.Escape(Inv($"checkpointing {(summary.GradientCheckpointing ? "on" : "off")}, freed memory returned {(summary.ReturnFreedMemory ? "on" : "off")}: {summary.MemoryReason}")));
            t.AddRow("train loss", Inv($"{summary.TrainLoss:F4}"));
            t.AddRow("val loss", summary.ValidationLoss is { } v ? Inv($"{v:F4} (start {summary.BaseValidationLoss:F4})") : "-");
            if (summary.GeneralLossBefore is { } g0) t.AddRow("general text loss (forgetting)", Inv($"{g0:F4} → {summary.GeneralLossAfter:F4} ({summary.GeneralLossAfter - g0:+0.0000;-0.0000})"));
            t.AddRow("trainable params", Inv($"{summary.TrainableParameters:N0} of {summary.TotalParameters:N0} ({100.0 * summary.TrainableParameters / summary.TotalParameters:F2}%)"));
            t.AddRow("throughput", Inv($"{summary.TokensPerSecond:N0} tokens/s; peak memory {summary.PeakMemoryMb:N0} MiB"));
            if (summary.BaseWeightMemoryRatio is { } r) t.AddRow("NF4 base weights", Inv($"{r:P1} of float32"));
            t.AddRow("output", Markup.Escape(summary.Output));
            AnsiConsole.Write(t);
        }
        if (summary.Stop == "interrupted")
        {
            Console.Error.WriteLine($"lever: stopped at step {summary.Steps}; the checkpoint is written. Continue with: lever train --resume {options.Output}");
            return 130;
        }
        return 0;
    }

    internal static string Describe(TrainingProgress p)
    {
        var val = p.ValidationLoss is { } v ? Inv($" val {v:F3}") : "";
        var evt = p.Event is null ? "" : $" [{p.Event}]";
        return Inv($"step {p.Step}/{p.TotalSteps} loss {p.Loss:F3}{val} lr {p.LearningRate:G3} {p.TokensPerSecond:N0} tok/s ETA {p.Eta:hh\\:mm\\:ss} mem {p.MemoryMb:N0} MiB{evt}");
    }

    private static TrainingMethod ParseMethod(string name) => name.ToLowerInvariant() switch
    {
        "pretrain" => TrainingMethod.Pretrain,
        "cpt" => TrainingMethod.Cpt,
        "full" => TrainingMethod.Full,
        "lora" => TrainingMethod.Lora,
        "qlora" => TrainingMethod.Qlora,
        _ => throw new LeverUserException($"--method {name}: unknown method", "use pretrain, cpt, full, lora or qlora"),
    };

    private static TrainingPrecision ParsePrecision(string name) => name.ToLowerInvariant() switch
    {
        "f32" or "fp32" or "float32" => TrainingPrecision.F32,
        "bf16" or "bfloat16" => TrainingPrecision.Bf16,
        _ => throw new LeverUserException($"--precision {name}: unknown precision", "use f32 (the default) or bf16"),
    };

    private static double DefaultLearningRate(TrainingMethod m) => m switch
    {
        TrainingMethod.Pretrain or TrainingMethod.Cpt => 3e-4,
        TrainingMethod.Full => 2e-5,
        _ => 2e-4,
    };

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>Plain progress lines (redirected output, --json): one every ~5% of the run and at every event.</summary>
    private sealed class LineProgress(TextWriter writer) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            int every = Math.Max(1, p.TotalSteps / 20);
            if (p.Step % every == 0 || p.Step == p.TotalSteps || p.Event is not null) writer.WriteLine(Describe(p));
        }
    }

    private sealed class Callback(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}
