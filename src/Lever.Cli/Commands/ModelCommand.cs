using System.CommandLine;
using Lever.Engine.Checkpoints;
using Lever.Engine.Gguf;
using Lever.Engine.Modules;
using Spectre.Console;

namespace Lever.Cli.Commands;

/// <summary><c>lever model init|export-gguf</c>: create local models and hand them to other runtimes.</summary>
internal sealed class ModelCommand : ILeverCommand
{
    public Command Create()
    {
        var config = new Option<string>("--config") { Description = $"preset ({string.Join("|", ModelPresets.Names)}) or a config.json file", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "folder to write the checkpoint to", Required = true };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "folder with tokenizer.json/tokenizer.model to use (default: a byte-level tokenizer)" };
        var seed = new Option<long>("--seed") { Description = "seed of the random initialisation", DefaultValueFactory = _ => 0 };
        var init = new Command("init", "Write a randomly initialised model in Hugging Face layout (config.json, model.safetensors, tokenizer).") { config, output, tokenizer, seed };
        init.SetAction(parse =>
        {
            var made = ModelInitializer.Create(parse.GetValue(config)!, parse.GetValue(output)!, parse.GetValue(tokenizer), parse.GetValue(seed));
            var c = made.Config;
            AnsiConsole.MarkupLineInterpolated($"[green]model written[/] to {made.Directory}: {made.Parameters:N0} parameters ({made.Parameters / 1e6:F1}M); {c.NumHiddenLayers} layers, hidden {c.HiddenSize}, {c.NumAttentionHeads} heads ({c.KeyValueHeads} kv), vocab {c.VocabSize}; tokenizer: {made.TokenizerSource}");
            return 0;
        });
        var model = new Option<string>("--model", "-m") { Description = "checkpoint folder", Required = true };
        var gguf = new Option<string>("--output", "-o") { Description = "the .gguf file to write", Required = true };
        var type = new Option<string>("--type") { Description = "weight type: f32 or f16 (norms stay f32)", DefaultValueFactory = _ => "f32" };
        var export = new Command("export-gguf", "Export a checkpoint to GGUF for llama.cpp (architecture llama, byte-level BPE vocabulary).") { model, gguf, type };
        export.SetAction(parse =>
        {
            var done = GgufExporter.Export(parse.GetValue(model)!, parse.GetValue(gguf)!, parse.GetValue(type)!);
            AnsiConsole.MarkupLineInterpolated($"[green]GGUF written[/] to {done.Path}: {done.Tensors} tensors, {done.Bytes / 1e6:F1} MB, pre-tokenizer {done.PreTokenizer}");
            return 0;
        });
        return new Command("model", "Create and export local models.") { init, export };
    }
}
