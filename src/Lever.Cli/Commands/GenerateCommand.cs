using System.CommandLine;
using Lever.Engine.Generation;

namespace Lever.Cli.Commands;

/// <summary><c>lever generate</c>: continue a prompt with a local model, streaming the text.</summary>
internal sealed class GenerateCommand : ILeverCommand
{
    /// <summary>Sampling flags shared with <c>lever chat</c>.</summary>
    internal sealed record SamplingOptions(Option<int> MaxTokens, Option<double> Temperature, Option<int> TopK, Option<double> TopP,
        Option<double> RepetitionPenalty, Option<long?> Seed, Option<string[]> Stop)
    {
        public static SamplingOptions Create(int defaultMaxTokens) => new(
            new Option<int>("--max-tokens", "-n") { Description = "most tokens to generate", DefaultValueFactory = _ => defaultMaxTokens },
            new Option<double>("--temperature", "-t") { Description = "sampling temperature; 0 = greedy", DefaultValueFactory = _ => 0.7 },
            new Option<int>("--top-k") { Description = "sample among the k most likely tokens (0 = off)", DefaultValueFactory = _ => 40 },
            new Option<double>("--top-p") { Description = "nucleus sampling mass (1 = off)", DefaultValueFactory = _ => 0.95 },
            new Option<double>("--repetition-penalty") { Description = "penalty for tokens already present (1 = off)", DefaultValueFactory = _ => 1.0 },
            new Option<long?>("--seed") { Description = "seed for reproducible sampling" },
            new Option<string[]>("--stop") { Description = "stop when this text appears (repeatable)", AllowMultipleArgumentsPerToken = false });

        public IEnumerable<Option> All => [MaxTokens, Temperature, TopK, TopP, RepetitionPenalty, Seed, Stop];

        public GenerationOptions Read(ParseResult parse) => new()
        {
            MaxTokens = parse.GetValue(MaxTokens),
            Temperature = parse.GetValue(Temperature),
            TopK = parse.GetValue(TopK),
            TopP = parse.GetValue(TopP),
            RepetitionPenalty = parse.GetValue(RepetitionPenalty),
            Seed = parse.GetValue(Seed),
            StopSequences = parse.GetValue(Stop) ?? [],
        };
    }

    public Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "checkpoint folder (config.json, model.safetensors, tokenizer)", Required = true };
        var prompt = new Option<string>("--prompt", "-p") { Description = "text to continue", Required = true };
        var showIds = new Option<bool>("--show-ids") { Description = "also print the generated token ids (stderr)" };
        var sampling = SamplingOptions.Create(128);
        var command = new Command("generate", "Continue a prompt with a local model (streams the text; stats on stderr).") { model, prompt, showIds };
        foreach (var o in sampling.All) command.Options.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            var options = sampling.Read(parse);
            options.Validate();
            using var generator = TextGenerator.Load(parse.GetValue(model)!);
            var ids = generator.Tokenizer.Encode(parse.GetValue(prompt)!);
            var result = await generator.GenerateAsync(ids, options, t => Console.Out.Write(t.Text), ct);
            Console.Out.WriteLine();
            if (parse.GetValue(showIds)) await Console.Error.WriteLineAsync("ids: " + string.Join(' ', result.TokenIds));
            var decodeSeconds = (result.Elapsed - result.TimeToFirstToken).TotalSeconds;
            var rate = result.OutputTokens > 1 && decodeSeconds > 0 ? (result.OutputTokens - 1) / decodeSeconds : 0;
            await Console.Error.WriteLineAsync(FormattableString.Invariant(
                $"[{result.PromptTokens} prompt tokens, {result.OutputTokens} generated ({result.FinishReason}); first token {result.TimeToFirstToken.TotalMilliseconds:F0} ms, {rate:F1} tokens/s]"));
            return 0;
        });
        return command;
    }
}
