using System.CommandLine;
using Lever.Engine.Generation;
using Lever.Providers.LlamaCpp;

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
        var model = new Option<string>("--model", "-m") { Description = "checkpoint folder (config.json, model.safetensors, tokenizer), or a .gguf file (run by llama.cpp)", Required = true };
        var prompt = new Option<string>("--prompt", "-p") { Description = "text to continue", Required = true };
        var showIds = new Option<bool>("--show-ids") { Description = "also print the generated token ids (stderr)" };
        var json = new Option<bool>("--json") { Description = "constrained decoding: the output is a JSON object (response_format json_object)" };
        var jsonSchema = new Option<string?>("--json-schema") { Description = "constrained decoding: the output matches this JSON Schema file (the subset in docs/SERVER.md)" };
        var sampling = SamplingOptions.Create(128);
        var command = new Command("generate", "Continue a prompt with a local model (streams the text; stats on stderr).") { model, prompt, showIds, json, jsonSchema };
        foreach (var o in sampling.All) command.Options.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            var options = sampling.Read(parse) with { ResponseFormat = Format(parse.GetValue(json), parse.GetValue(jsonSchema)) };
            options.Validate();
            var path = parse.GetValue(model)!;
            if (LlamaCppBackend.IsGgufPath(path)) return await GenerateGguf(path, parse.GetValue(prompt)!, options, parse.GetValue(showIds), ct);
            using var generator = TextGenerator.Load(path);
            var ids = generator.Tokenizer.Encode(parse.GetValue(prompt)!);
            var result = await generator.GenerateAsync(ids, options, t => Console.Out.Write(t.Text), ct);
            Console.Out.WriteLine();
            if (parse.GetValue(showIds)) await Console.Error.WriteLineAsync("ids: " + string.Join(' ', result.TokenIds));
            await Console.Error.WriteLineAsync(Stats(result.PromptTokens, result.OutputTokens, result.FinishReason, result.TimeToFirstToken, result.Elapsed));
            return 0;
        });
        return command;
    }

    /// <summary>The same command over a .gguf file: validated, then run by llama.cpp (the stats line says so).</summary>
    private static async Task<int> GenerateGguf(string path, string prompt, GenerationOptions options, bool showIds, CancellationToken ct)
    {
        using var llama = LlamaCppModel.Load(path);
        var ids = llama.Tokenize(prompt, addSpecial: true);
        var sampling = new LlamaCppSampling
        {
            MaxTokens = options.MaxTokens, Temperature = options.Temperature, TopK = options.TopK, TopP = options.TopP,
            RepetitionPenalty = options.RepetitionPenalty, Seed = options.Seed, StopSequences = options.StopSequences,
            ResponseFormat = options.ResponseFormat,
        };
        var result = await Task.Run(() => llama.Generate(ids, sampling, Console.Out.Write, ct), ct);
        Console.Out.WriteLine();
        if (showIds) await Console.Error.WriteLineAsync("ids: " + string.Join(' ', result.TokenIds));
        await Console.Error.WriteLineAsync(Stats(result.PromptTokens, result.OutputTokens, result.FinishReason, result.TimeToFirstToken, result.Elapsed)[..^1]
            + FormattableString.Invariant($"; llama.cpp, {llama.Threads} threads]"));
        return 0;
    }

    /// <summary>The response format of <c>--json</c> / <c>--json-schema FILE</c>; a schema outside the subset is a user error naming the file and keyword.</summary>
    private static Lever.Core.Constraints.JsonFormat? Format(bool json, string? schemaFile)
    {
        if (schemaFile is null) return json ? Lever.Core.Constraints.JsonFormat.Object : null;
        if (!File.Exists(schemaFile)) throw new Lever.Core.LeverUserException($"--json-schema: {schemaFile} not found", "give the path of a JSON Schema file");
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(schemaFile));
            return Lever.Core.Constraints.JsonFormat.FromSchema(doc.RootElement, Path.GetFileNameWithoutExtension(schemaFile), schemaFile);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new Lever.Core.LeverUserException($"{schemaFile}: not valid JSON ({ex.Message})", "write the schema as JSON");
        }
    }

    private static string Stats(int promptTokens, int outputTokens, string finish, TimeSpan firstToken, TimeSpan elapsed)
    {
        var decodeSeconds = (elapsed - firstToken).TotalSeconds;
        var rate = outputTokens > 1 && decodeSeconds > 0 ? (outputTokens - 1) / decodeSeconds : 0;
        return FormattableString.Invariant($"[{promptTokens} prompt tokens, {outputTokens} generated ({finish}); first token {firstToken.TotalMilliseconds:F0} ms, {rate:F1} tokens/s]");
    }
}
