using System.CommandLine;
using Lever.Engine.Generation;
using Lever.Engine.Tokenizers;
using Lever.Providers.LlamaCpp;
using Microsoft.Extensions.AI;
using Spectre.Console;

namespace Lever.Cli.Commands;

/// <summary><c>lever chat</c>: talk to a local model in the terminal, through the same IChatClient the rest of Lever uses.</summary>
internal sealed class ChatCommand : ILeverCommand
{
    public Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "checkpoint folder, or a .gguf file (run by llama.cpp)", Required = true };
        var system = new Option<string?>("--system", "-s") { Description = "system prompt" };
        var template = new Option<string?>("--template") { Description = $"chat template ({string.Join("|", ChatTemplate.All.Select(t => t.Name))}); default: from tokenizer_config.json" };
        var sampling = GenerateCommand.SamplingOptions.Create(512);
        var command = new Command("chat", "Chat with a local model (empty line or /exit to quit; the shared prefix of the conversation is cached).") { model, system, template };
        foreach (var o in sampling.All) command.Options.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            var generation = sampling.Read(parse);
            generation.Validate();
            var chosen = parse.GetValue(template) is { } name ? ChatTemplate.FromName(name) : null;
            var path = parse.GetValue(model)!;
            if (chosen is not null && LlamaCppBackend.IsGgufPath(path))
                throw new Lever.Core.LeverUserException("--template applies to checkpoint folders; a .gguf file brings its own chat template", "drop --template");
            using IChatClient client = LlamaCppBackend.IsGgufPath(path) ? LlamaCppChatClient.Load(path) : LocalChatClient.Load(path, chosen);
            var (modelId, templateName) = client switch
            {
                LlamaCppChatClient l => (l.ModelId, l.TemplateName + " (llama.cpp)"),
                LocalChatClient c => (c.ModelId, c.Template.Name),
                _ => ("?", "?"),
            };
            var history = new List<ChatMessage>();
            var options = new ChatOptions
            {
                Instructions = parse.GetValue(system),
                MaxOutputTokens = generation.MaxTokens,
                Temperature = (float)generation.Temperature,
                TopK = generation.TopK,
                TopP = (float)generation.TopP,
                Seed = generation.Seed,
                StopSequences = [.. generation.StopSequences],
                AdditionalProperties = new AdditionalPropertiesDictionary { ["repetition_penalty"] = generation.RepetitionPenalty },
            };
            AnsiConsole.MarkupLineInterpolated($"[grey]{modelId} · template {templateName} · empty line or /exit quits[/]");
            while (!ct.IsCancellationRequested)
            {
                Console.Out.Write("> ");
                var line = await Console.In.ReadLineAsync(ct);
                if (string.IsNullOrWhiteSpace(line) || line.Trim() == "/exit") break;
                history.Add(new ChatMessage(ChatRole.User, line));
                var answer = new System.Text.StringBuilder();
                UsageDetails? usage = null;
                await foreach (var update in client.GetStreamingResponseAsync(history, options, ct))
                {
                    Console.Out.Write(update.Text);
                    answer.Append(update.Text);
                    usage = update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details ?? usage;
                }
                Console.Out.WriteLine();
                history.Add(new ChatMessage(ChatRole.Assistant, answer.ToString()));
                if (usage is not null)
                    AnsiConsole.MarkupLineInterpolated($"[grey]{usage.InputTokenCount} in ({usage.CachedInputTokenCount} cached), {usage.OutputTokenCount} out[/]");
            }
            return 0;
        });
        return command;
    }
}
