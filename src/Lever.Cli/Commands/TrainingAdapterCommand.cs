using System.CommandLine;
using Lever.Core;
using Lever.Engine.Checkpoints;
using Lever.Training.Lora;
using Spectre.Console;

namespace Lever.Cli.Commands;

/// <summary><c>lever adapter merge</c>: fold a PEFT LoRA adapter into its base and write a plain checkpoint.</summary>
internal sealed class TrainingAdapterCommand : ILeverCommand
{
    private static readonly string[] TokenizerFiles = ["tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json", "lever_training.json"];

    public Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "base checkpoint folder", Required = true };
        var adapter = new Option<string>("--adapter") { Description = "adapter folder (adapter_config.json + adapter_model.safetensors)", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "folder for the merged checkpoint", Required = true };
        var merge = new Command("merge", "Merge a LoRA adapter into its base model (W + scaling·B·A, in float32) and save a Hugging Face checkpoint.") { model, adapter, output };
        merge.SetAction(parse =>
        {
            var (m, a, o) = (parse.GetValue(model)!, parse.GetValue(adapter)!, parse.GetValue(output)!);
            if (Path.GetFullPath(o) == Path.GetFullPath(m)) throw new LeverUserException("-o is the base model folder", "write the merged model to a new folder");
            using var llama = HfCheckpoint.Load(m);
            PeftAdapter.Load(llama, a);
            int layers = AdapterMerger.Merge(llama);
            HfCheckpoint.Save(o, llama);
            foreach (var f in TokenizerFiles)
                if (File.Exists(Path.Combine(m, f))) File.Copy(Path.Combine(m, f), Path.Combine(o, f), overwrite: true);
            AnsiConsole.MarkupLineInterpolated($"[green]merged[/] {layers} adapted layers of {a} into {o}");
            return 0;
        });
        return new Command("adapter", "Work with LoRA adapters.") { merge };
    }
}
