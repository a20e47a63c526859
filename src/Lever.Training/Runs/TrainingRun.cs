// One `lever train` run end to end: load the base checkpoint and its tokenizer, prepare the data (streamed into
// on-disk token stores), set up the method (all weights, LoRA adapters, or LoRA over an NF4 base), measure the start
// (validation loss, general-text loss for the forgetting meter), train with crash-safe checkpoints, and save the
// best weights as a PEFT adapter or a Hugging Face checkpoint.
using System.Text.Json;
using System.Text.Json.Serialization;
using Lever.Core;
using Lever.Engine.Checkpoints;
using Lever.Engine.Modules;
using Lever.Training.Data;
using Lever.Training.Internal;
using Lever.Training.Lora;
using Lever.Training.Precision;
using Lever.Training.Trainer;
using static TorchSharp.torch;

namespace Lever.Training.Runs;

/// <summary>Runs, and resumes, <c>lever train</c>.</summary>
public static class TrainingRun
{
    /// <summary>The options file in the output folder.</summary>
    public const string RunFile = "run.json";

    private const string StartFile = "start.json";
    private static readonly string[] TokenizerFiles = ["tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json"];
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };

    /// <summary>Reads the options of the run in <paramref name="outputDirectory"/> (for --resume).</summary>
    public static TrainingRunOptions ReadOptions(string outputDirectory)
    {
        var path = Path.Combine(outputDirectory, RunFile);
        if (!File.Exists(path))
            throw new LeverUserException($"{path}: not found, so there is no run to resume in {outputDirectory}", "pass the -o folder of an earlier `lever train`, or start a new run");
        return JsonSerializer.Deserialize<TrainingRunOptions>(File.ReadAllText(path), Json)!;
    }

    /// <summary>Starts a run (or resumes the one in <c>options.Output</c>) and returns its summary.</summary>
    public static TrainingSummary Run(TrainingRunOptions options, bool resume, IProgress<TrainingProgress>? progress = null, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        log ??= _ => { };
        var output = Path.GetFullPath(options.Output);
        options = options with { Output = output };
        var fingerprint = Fingerprint(options);
        if (resume && options.DataFingerprint is { } recorded && recorded != fingerprint)
            throw new LeverUserException($"{options.Data}: the training data changed since this run started, so resuming would not replay the same batches",
                $"restore the original files, or start a new run with another -o");
        options = options with { DataFingerprint = fingerprint };
        if (!resume)
        {
            if (Directory.Exists(Path.Combine(output, "checkpoints")))
                throw new LeverUserException($"{output} already holds a training run", $"continue it with `lever train --resume {options.Output}`, or choose another -o");
            options.Lora.Validate();
            options.Trainer.Validate();
        }
        // Checked before any work (and again on resume: the run may continue on another machine).
        if (options.Trainer.Precision == TrainingPrecision.Bf16) Bf16Support.EnsureSupported();
        if (!resume)
        {
            Directory.CreateDirectory(output);
        }

        // 1) base model and tokenizer
        var tokenizer = EngineTokenizer.Load(options.Model);
        // QLoRA quantizes each projection as it is read, so the float32 model is never in memory.
        double? memoryRatio = null;
        LlamaForCausalLM loaded;
        if (options.Method == TrainingMethod.Qlora)
        {
            var (model, f32, nf4) = LoraInjector.LoadQuantized(options.Model, options.DoubleQuantization);
            loaded = model;
            memoryRatio = nf4 / (double)f32;
            log($"qlora: base projections in NF4 (quantized while loading): {nf4 / 1048576.0:F1} MiB instead of {f32 / 1048576.0:F1} MiB ({memoryRatio:P1})");
        }
        else
        {
            loaded = HfCheckpoint.Load(options.Model);
        }
        using var llama = loaded;
        if (tokenizer.VocabSize > llama.Config.VocabSize)
            throw new LeverUserException($"{options.Model}: the tokenizer has {tokenizer.VocabSize} tokens but the model only {llama.Config.VocabSize}", "use the tokenizer the model was created with");
        // NF4 weights are not parameters; count them as the float32 model would have them.
        long baseParameters = llama.ParameterCount() + llama.Projections().Select(s => s.Get()).OfType<Nf4Linear>().Sum(q => q.Weight.Count + (q.Bias?.numel() ?? 0));

        // 2) data, streamed into token stores (reused on resume: the split and order are deterministic anyway)
        var encoder = new ExampleEncoder(tokenizer, tokenizer.Chat);
        bool rawText = options.Method is TrainingMethod.Pretrain or TrainingMethod.Cpt;
        using var data = DatasetBuilder.Prepare(options.Data, options.Validation, encoder, Path.Combine(output, "data"), options.Trainer.Seed, options.ValidationFraction,
            rawText ? DatasetFormat.Text : null);
        log($"data: {data.Train.Count:N0} training and {data.Validation.Count:N0} validation examples ({data.Format}); {data.DuplicatesDropped} duplicates dropped");
        var seqLen = options.Trainer.SeqLen;
        var train = data.TrainSequences(seqLen);
        var validation = data.ValidationSequences(seqLen);
        var trainerOptions = options.Trainer;
        if (options.Epochs is { } epochs)
            trainerOptions = trainerOptions with { Steps = BatchSampler.StepsForEpochs(epochs, train.Count, trainerOptions.BatchSize, trainerOptions.GradientAccumulation) };

        // 3) general text for the forgetting meter and replay
        using var general = PrepareGeneral(options, encoder, output, log);
        var generalReplay = general?.TrainSequences(seqLen);
        var generalEval = general?.ValidationSequences(seqLen);
        if (trainerOptions.ReplayFraction > 0 && generalReplay is not { Count: > 0 })
            throw new LeverUserException("--replay needs general text to mix in", "pass --general FILE (JSONL {\"text\"} lines), or fine-tune a model pre-trained by Lever");

        // 4) the method
        if (options.Method is TrainingMethod.Lora or TrainingMethod.Qlora)
        {
            LoraInjector.Inject(llama, options.Lora, LoraInjector.DefaultAdapter, options.Trainer.Seed);
        }
        if (!(rawText || options.Method == TrainingMethod.Full) && data.Format == DatasetFormat.Text)
            log("note: {\"text\"} data trains on every token; for instruction data use prompt/completion or messages");

        if (trainerOptions.Precision == TrainingPrecision.Bf16)
        {
            Bf16Autocast.Apply(llama);
            log("precision: bf16 matmuls over float32 master weights (norms, loss and AdamW in float32)");
        }
        // Explicit settings win (TrainerOptions.GradientCheckpointing = true, from older run.json files and the API, too).
        var plan = MemoryPlan.Choose(llama.Config, options.Method, trainerOptions.BatchSize, seqLen,
            llama.parameters().Where(p => p.requires_grad).Sum(p => p.numel()),
            options.GradientCheckpointing ?? (trainerOptions.GradientCheckpointing ? true : null), options.ReturnFreedMemory);
        trainerOptions = trainerOptions with { GradientCheckpointing = plan.GradientCheckpointing };
        bool released = plan.ReturnFreedMemory && FreedMemory.ReturnToOs();
        log($"memory: activation checkpointing {(plan.GradientCheckpointing ? "on" : "off")}, freed memory returned to the OS {(released ? "on" : plan.ReturnFreedMemory ? "unavailable (no glibc)" : "off")}: {plan.Reason}");
        if (trainerOptions.GradientCheckpointing) GradientCheckpointing.Enable(llama);

        int padId = tokenizer.EosTokenId;
        var loop = new TrainingLoop(llama, trainerOptions, train, validation, padId, output, generalReplay) { Progress = progress };
        long totalParameters = baseParameters + (options.Method is TrainingMethod.Lora or TrainingMethod.Qlora ? loop.TrainableParameters : 0);

        // 5) where we start from: measured once, kept for resumes
        var startPath = Path.Combine(output, StartFile);
        StartMeasurements start;
        if (resume && File.Exists(startPath))
        {
            start = JsonSerializer.Deserialize<StartMeasurements>(File.ReadAllText(startPath))!;
        }
        else
        {
            start = new StartMeasurements(
                validation.Count > 0 ? loop.Evaluate(validation) : null,
                generalEval is { Count: > 0 } ? loop.Evaluate(generalEval) : null);
            AtomicFile.WriteAllText(Path.Combine(output, RunFile), JsonSerializer.Serialize(options with
            {
                Trainer = trainerOptions, Epochs = null, GradientCheckpointing = plan.GradientCheckpointing, ReturnFreedMemory = plan.ReturnFreedMemory,
            }, Json));
            AtomicFile.WriteAllText(startPath, JsonSerializer.Serialize(start));
        }

        // 6) train (a run killed before its first checkpoint simply starts over)
        if (resume && !loop.Checkpoints.HasCheckpoint())
        {
            log("no checkpoint was written before the run stopped: starting from step 0");
            resume = false;
        }
        var result = loop.Run(resume, cancellationToken);

        // 7) keep the best weights, measure, save
        double? valLoss = result.ValidationLoss;
        if (result.State.BestValidationLoss is { } best && loop.Checkpoints.LoadBest() is { } bestWeights)
        {
            loop.LoadTrainable(bestWeights);
            foreach (var t in bestWeights.Values) t.Dispose();
            valLoss = best;
        }
        double? generalAfter = generalEval is { Count: > 0 } ? loop.Evaluate(generalEval) : null;
        if (result.Stop != TrainingStop.Interrupted)
        {
            Bf16Autocast.Remove(llama);   // saving sees the plain modules (the weights were float32 all along)
            SaveOutput(options, llama, output);
        }

        return new TrainingSummary
        {
            Method = options.Method.ToString().ToLowerInvariant(),
            Steps = result.State.Step,
            Precision = trainerOptions.Precision == TrainingPrecision.Bf16 ? "bf16" : "f32",
            GradientCheckpointing = trainerOptions.GradientCheckpointing,
            ReturnFreedMemory = released,
            MemoryReason = plan.Reason,
            TrainLoss = result.TrainLoss,
            ValidationLoss = valLoss,
            BaseValidationLoss = start.ValidationLoss,
            TrainableParameters = loop.TrainableParameters,
            TotalParameters = totalParameters,
            TokensPerSecond = result.TokensPerSecond,
            PeakMemoryMb = result.PeakMemoryMb,
            Output = output,
            Stop = result.Stop switch { TrainingStop.EarlyStopped => "early_stopped", TrainingStop.Interrupted => "interrupted", _ => "completed" },
            GeneralLossBefore = start.GeneralLoss,
            GeneralLossAfter = generalAfter,
            BaseWeightMemoryRatio = memoryRatio,
        };
    }

    private static string Fingerprint(TrainingRunOptions options) =>
        string.Join(";", new[] { options.Data, options.Validation, options.General }.Where(f => f is not null && File.Exists(f))
            .Select(f => new FileInfo(f!)).Select(f => FormattableString.Invariant($"{f.Length}:{f.LastWriteTimeUtc.Ticks}")));

    private static PreparedDataset? PrepareGeneral(TrainingRunOptions options, ExampleEncoder encoder, string output, Action<string> log)
    {
        var dir = Path.Combine(output, "general");
        if (options.General is { } file)
        {
            // Half to mix in (replay), half to measure on: never measure forgetting on text that was replayed.
            return DatasetBuilder.Prepare(file, null, encoder, dir, options.Trainer.Seed, 0.5, DatasetFormat.Text);
        }
        if (PretrainingRecord.Read(options.Model) is { } record && File.Exists(record.Data) && (record.Validation is null || File.Exists(record.Validation)))
        {
            log($"forgetting meter: the base model's pre-training validation text ({record.Validation ?? record.Data})");
            return DatasetBuilder.Prepare(record.Data, record.Validation, encoder, dir, record.Seed, record.ValidationFraction, DatasetFormat.Text);
        }
        return null;
    }

    private static void SaveOutput(TrainingRunOptions options, LlamaForCausalLM model, string output)
    {
        if (options.Method is TrainingMethod.Lora or TrainingMethod.Qlora)
        {
            PeftAdapter.Save(output, model, options.Lora, Path.GetFullPath(options.Model));
            return;
        }
        HfCheckpoint.Save(output, model);
        foreach (var f in TokenizerFiles)
        {
            var source = Path.Combine(options.Model, f);
            if (File.Exists(source)) File.Copy(source, Path.Combine(output, f), overwrite: true);
        }
        if (options.Method is TrainingMethod.Pretrain or TrainingMethod.Cpt)
            new PretrainingRecord(Path.GetFullPath(options.Data), options.Validation is null ? null : Path.GetFullPath(options.Validation), options.Trainer.Seed, options.ValidationFraction).Write(output);
        else if (PretrainingRecord.Read(options.Model) is { } inherited)
            inherited.Write(output); // a fine-tuned model keeps its pre-training text as its general reference
    }

    private sealed record StartMeasurements(double? ValidationLoss, double? GeneralLoss);
}
