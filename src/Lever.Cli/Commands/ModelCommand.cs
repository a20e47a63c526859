using System.CommandLine;
using Lever.Engine.Checkpoints;
using Lever.Engine.Gguf;
using Lever.Engine.Modules;
using Lever.Providers.LlamaCpp;
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
            var made = AnsiConsole.Status().Start("initialising and writing the model…",
                _ => ModelInitializer.Create(parse.GetValue(config)!, parse.GetValue(output)!, parse.GetValue(tokenizer), parse.GetValue(seed)));
            var c = made.Config;
            AnsiConsole.MarkupLineInterpolated($"[green]model written[/] to {made.Directory}: {made.Parameters:N0} parameters ({made.Parameters / 1e6:F1}M); {c.NumHiddenLayers} layers, hidden {c.HiddenSize}, {c.NumAttentionHeads} heads ({c.KeyValueHeads} kv), vocab {c.VocabSize}; tokenizer: {made.TokenizerSource}");
            return 0;
        });
        var model = new Option<string>("--model", "-m") { Description = "checkpoint folder", Required = true };
        var gguf = new Option<string>("--output", "-o") { Description = "the .gguf file to write", Required = true };
        var type = new Option<string>("--type") { Description = "weight type: f32, f16, q8_0 or q4_k_m (quantized by llama.cpp; norms stay f32; rows that do not fit a block fall back, listed)", DefaultValueFactory = _ => "f32" };
        var export = new Command("export-gguf", "Export a checkpoint to GGUF for llama.cpp (architecture llama, byte-level BPE vocabulary).") { model, gguf, type };
        export.SetAction(parse =>
        {
            var kind = parse.GetValue(type)!.ToLowerInvariant();
            var path = parse.GetValue(gguf)!;
            var written = GgufFiles.Write(parse.GetValue(model)!, path, kind, (step, run) =>
                AnsiConsole.Status().Start(step == "export" ? "loading the checkpoint and writing GGUF…" : $"quantizing to {kind} with llama.cpp…", _ => run()));
            if (written.Quantized is not { } tensors)
            {
                var done = written.Export;
                AnsiConsole.MarkupLineInterpolated($"[green]GGUF written[/] to {done.Path}: {done.Tensors} tensors, {done.Bytes / 1e6:F1} MB, pre-tokenizer {done.PreTokenizer}");
                return 0;
            }
            var bytes = new FileInfo(path).Length;
            foreach (var t in tensors)
                AnsiConsole.MarkupLineInterpolated($"  {t.Name,-28} {t.Type,-5} [[{string.Join(", ", t.Dimensions)}]]{(t.Note is null ? "" : "  " + t.Note)}");
            var counts = string.Join(", ", tensors.GroupBy(t => t.Type).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} {g.Key}"));
            AnsiConsole.MarkupLineInterpolated($"[green]GGUF written[/] to {path}: {tensors.Count} tensors ({counts}), {bytes / 1e6:F1} MB = {(double)bytes / written.Export.Bytes:F3}× the F32 export, pre-tokenizer {written.Export.PreTokenizer}");
            return 0;
        });
        return new Command("model", "Create and export local models.") { init, export };
    }
}
