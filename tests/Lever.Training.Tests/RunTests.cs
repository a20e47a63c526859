using System.Text.Json;
using Lever.Engine.Checkpoints;
using Lever.Training.Data;
using Lever.Training.Lora;
using Lever.Training.Runs;
using Lever.Training.Trainer;
using static TorchSharp.torch;

namespace Lever.Training.Tests;

/// <summary>Whole runs on a checkpoint made by the engine's `lever model init` path (byte-level tokenizer, vocab 320).</summary>
public sealed class RunTests
{
    internal static string MakeBase(TempWorkspace tmp)
    {
        var config = tmp.Write("cfg.json", """{"vocab_size": 320, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 256, "rms_norm_eps": 1e-5, "tie_word_embeddings": true}""");
        random.manual_seed(1);
        return ModelInitializer.Create(config, tmp.Combine("base"), null, 1).Directory;
    }

    internal static string Corpus(TempWorkspace tmp)
    {
        var rng = new Random(1);
        var words = "the cat sat on a mat while dogs ran in the park and birds sang songs of spring".Split(' ');
        return tmp.Write("pre.jsonl", string.Join("\n", Enumerable.Range(0, 240).Select(_ =>
            JsonSerializer.Serialize(new { text = string.Join(' ', Enumerable.Range(0, 30).Select(_ => words[rng.Next(words.Length)])) }))));
    }

    internal static string Sums(TempWorkspace tmp)
    {
        var rng = new Random(2);
        return tmp.Write("sums.jsonl", string.Join("\n", Enumerable.Range(0, 200).Select(_ =>
        {
            int a = rng.Next(50), b = rng.Next(50);
            return JsonSerializer.Serialize(new { prompt = $"{a} plus {b} is", completion = $" {a + b}" });
        })));
    }

    [Fact]
    public void Pretrain_from_scratch_then_lora_lowers_validation_loss_and_reports_forgetting()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        var baseDir = MakeBase(tmp);
        var pre = TrainingRun.Run(new TrainingRunOptions
        {
            Method = TrainingMethod.Pretrain, Model = baseDir, Data = Corpus(tmp), Output = tmp.Combine("pt"),
            Trainer = new TrainerOptions { Steps = 40, BatchSize = 8, SeqLen = 64, LearningRate = 3e-3, EvalEvery = 20, CheckpointEvery = 20 },
        }, resume: false);
        double uniform = Math.Log(320);
        Assert.InRange(pre.BaseValidationLoss!.Value, uniform - 0.3, uniform + 0.3);
        Assert.True(pre.ValidationLoss < 0.6 * uniform, $"pretrain val {pre.ValidationLoss} vs ln(V) {uniform}");
        Assert.True(File.Exists(tmp.Combine("pt/model.safetensors")) && File.Exists(tmp.Combine("pt/tokenizer.json")) && File.Exists(tmp.Combine("pt/lever_training.json")));
        Assert.Equal(pre.TotalParameters, pre.TrainableParameters);

        var lora = TrainingRun.Run(new TrainingRunOptions
        {
            Method = TrainingMethod.Lora, Model = tmp.Combine("pt"), Data = Sums(tmp), Output = tmp.Combine("lora"),
            Trainer = new TrainerOptions { Steps = 40, BatchSize = 8, SeqLen = 32, LearningRate = 1e-2, EvalEvery = 20, CheckpointEvery = 20 },
            Lora = new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0.05 },
        }, resume: false);
        Assert.True(lora.ValidationLoss < lora.BaseValidationLoss - 0.5, $"lora val {lora.ValidationLoss} vs base {lora.BaseValidationLoss}");
        // r·(in+out) per adapted projection: q (64→64), k, v (64→32), o (64→64), gate, up (64→128), down (128→64); 2 layers.
        long perLayer = 4 * ((64 + 64) + 2 * (64 + 32) + (64 + 64) + 2 * (64 + 128) + (128 + 64));
        Assert.Equal(2 * perLayer, lora.TrainableParameters);
        Assert.NotNull(lora.GeneralLossBefore); // the forgetting meter found the base's pre-training text
        Assert.NotNull(lora.GeneralLossAfter);
        // Same held-out text (packed at the fine-tune's sequence length, so not bit-equal).
        Assert.InRange(lora.GeneralLossBefore!.Value - pre.ValidationLoss!.Value, -0.05, 0.05);
        Assert.True(File.Exists(tmp.Combine("lora/adapter_model.safetensors")));

        // The saved adapter is the best evaluation: reloading it reproduces the reported validation loss.
        using var scope = NewDisposeScope();
        var tokenizer = EngineTokenizer.Load(tmp.Combine("pt"));
        using var data = DatasetBuilder.Prepare(tmp.Combine("sums.jsonl"), null, new ExampleEncoder(tokenizer, tokenizer.Chat), tmp.Combine("check"), 42, 0.1);
        var model = HfCheckpoint.Load(tmp.Combine("pt"));
        PeftAdapter.Load(model, tmp.Combine("lora"));
        Assert.Equal(lora.ValidationLoss!.Value, TrainingLoop.Evaluate(model, data.ValidationSequences(32), 8, tokenizer.EosTokenId, 20), 3);
    }

    [Fact]
    public void Pretraining_with_a_trained_bpe_tokenizer_learns_well_below_the_uniform_baseline()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        var corpus = Corpus(tmp);
        var texts = File.ReadLines(corpus).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!).ToList();
        // The `lever tokenizer train` → `lever model init --tokenizer` path: vocab = specials + 256 bytes + merges.
        Engine.Tokenizers.BpeTrainer.Train(texts, 320).Save(tmp.Combine("tok"));
        var config = tmp.Write("cfg2.json", """{"vocab_size": 320, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 256, "rms_norm_eps": 1e-5, "tie_word_embeddings": true}""");
        var made = ModelInitializer.Create(config, tmp.Combine("bpe-base"), tmp.Combine("tok"), 3);
        var run = TrainingRun.Run(new TrainingRunOptions
        {
            Method = TrainingMethod.Pretrain, Model = made.Directory, Data = corpus, Output = tmp.Combine("bpe-pt"),
            Trainer = new TrainerOptions { Steps = 40, BatchSize = 8, SeqLen = 32, LearningRate = 3e-3, EvalEvery = 20, CheckpointEvery = 20 },
        }, resume: false);
        double uniform = Math.Log(made.Config.VocabSize);
        Assert.True(run.ValidationLoss < 0.6 * uniform, $"val {run.ValidationLoss} vs ln(V) {uniform}");
        Assert.True(run.BaseValidationLoss > 0.9 * uniform);
    }

    [Fact]
    public void Resuming_after_the_data_changed_is_refused()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        var baseDir = MakeBase(tmp);
        var data = Sums(tmp);
        TrainingRun.Run(new TrainingRunOptions
        {
            Method = TrainingMethod.Lora, Model = baseDir, Data = data, Output = tmp.Combine("r"),
            Trainer = new TrainerOptions { Steps = 2, BatchSize = 2, SeqLen = 16, EvalEvery = 0, CheckpointEvery = 1 },
        }, resume: false);
        var options = TrainingRun.ReadOptions(tmp.Combine("r"));
        Assert.NotNull(options.DataFingerprint);
        File.AppendAllText(data, "\n{\"prompt\":\"new\",\"completion\":\" line\"}");
        var ex = Assert.Throws<Core.LeverUserException>(() => TrainingRun.Run(options, resume: true));
        Assert.Contains("the training data changed since this run started", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Qlora_keeps_base_weights_under_three_tenths_of_float32_and_still_learns()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        var baseDir = MakeBase(tmp);
        var q = TrainingRun.Run(new TrainingRunOptions
        {
            Method = TrainingMethod.Qlora, Model = baseDir, Data = Sums(tmp), Output = tmp.Combine("q"),
            Trainer = new TrainerOptions { Steps = 20, BatchSize = 8, SeqLen = 32, LearningRate = 1e-2, EvalEvery = 10, CheckpointEvery = 10 },
            Lora = new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0 },
        }, resume: false);
        Assert.InRange(q.BaseWeightMemoryRatio!.Value, 0.1, 0.3);
        Assert.True(q.ValidationLoss < q.BaseValidationLoss, $"{q.ValidationLoss} vs {q.BaseValidationLoss}");
        Assert.Null(q.GeneralLossBefore); // a fresh init has no pre-training record and no --general was given
    }

    [Fact]
    public void Messages_are_rendered_with_the_models_chat_template_and_masked_to_assistant_tokens()
    {
        using var tmp = new TempWorkspace("lever-train-test");
        var dir = MakeBase(tmp);
        var tokenizer = EngineTokenizer.Load(dir);
        tokenizer.Inner.ChatTemplate = Engine.Tokenizers.ChatTemplate.ChatMl;
        using var doc = JsonDocument.Parse("""{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello there"}]}""");
        var record = new TrainingRecordParser().Parse(new Core.Data.JsonlLine("x", 1, doc.RootElement.Clone(), null), out _)!;
        var example = new ExampleEncoder(tokenizer, tokenizer.Chat).EncodeExample(record, 512);
        Assert.Equal("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello there<|im_end|>\n", tokenizer.Inner.Decode(example.InputIds, skipSpecial: false));
        // The assistant span is what the template adds after the generation prompt: the answer, its end-of-turn mark and newline.
        Assert.Equal("hello there<|im_end|>\n", tokenizer.Inner.Decode(example.Labels.Where(l => l >= 0), skipSpecial: false));
        // <|im_end|> is one special token id, trained so the model learns to stop.
        Assert.Contains(tokenizer.Inner.SpecialTokens["<|im_end|>"], example.Labels);
    }
}
