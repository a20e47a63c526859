using System.Text;
using System.Text.Json;
using Lever.Advisor;
using Lever.Core;
using Lever.Core.Config;
using Lever.Core.Data;
using Lever.Engine.Checkpoints;
using Lever.Engine.Modules;
using Lever.Engine.Tokenizers;
using Lever.Lab.Datasets.Email;
using Lever.Retrieval;
using Lever.Retrieval.Ingestion;
using Lever.Server.Internal;
using Lever.Training.Data;

namespace Lever.Fuzz;

/// <summary>Every fuzz target, by name (the folder names under corpus/, dictionaries/ and crashes/).</summary>
public static class FuzzTargets
{
    [ThreadStatic] private static string? t_scratch;

    /// <summary>The targets in a stable order.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("safetensors", "SafeTensorsFile.Open + every tensor read and checked finite", input =>
        {
            var path = Scratch("model.safetensors", input);
            using var file = SafeTensorsFile.Open(path);
            foreach (var name in file.Tensors.Keys)
            {
                using var tensor = file.Read(name);
                HfCheckpoint.RequireFinite(path, name, tensor);
            }
        }, User) { Warm = () => TorchSharp.torch.zeros(1).Dispose() },
        new("config-json", "LlamaConfig.Load (config.json)", input => LlamaConfig.Load(Scratch("config.json", input)), User),
        new("tokenizer-json", "ModelTokenizer.Load on tokenizer.json, then encode and decode", input => Tokenize(Scratch("tokenizer.json", input)), User),
        new("tokenizer-model", "ModelTokenizer.Load on a SentencePiece tokenizer.model, then encode and decode", input => Tokenize(Scratch("tokenizer.model", input)), User),
        new("training-jsonl", "DataValidator.Validate (lever data validate, the trainer's reader)", input => DataValidator.Validate(Scratch("train.jsonl", input)), User),
        new("csv", "Utf8Text.Require + CsvReader.Read, every record", input =>
        {
            var path = Scratch("data.csv", input);
            Utf8Text.Require(path);
            var (_, records) = CsvReader.Read(path);
            foreach (var _ in records) { }
        }, User),
        new("lever-yaml", "LeverConfig.Parse + the workload section bound", input =>
        {
            var config = LeverConfig.Parse("lever.yaml", Encoding.UTF8.GetString(input));
            if (config.Has("workload")) WorkloadReader.Parse("lever.yaml", Encoding.UTF8.GetString(input));
        }, User),
        new("workload-yaml", "WorkloadReader.Parse (lever advise --workload)", input => WorkloadReader.Parse("workload.yaml", Encoding.UTF8.GetString(input)), User),
        new("html", "DocumentReader.Read on an .html file (ingestion)", input => Ingest(Scratch("page.html", input)), User),
        new("markdown", "DocumentReader.Read on a .md file (ingestion)", input => Ingest(Scratch("notes.md", input)), User),
        new("mail", "EmailParser.Parse (the lab's MIME reader; it never throws)", input => EmailParser.Parse(input), _ => false),
        new("gguf", "GgufValidator.Validate (the managed check before llama.cpp sees a file)", input =>
        {
            using var stream = new MemoryStream(input, writable: false);
            Lever.Providers.LlamaCpp.Gguf.GgufValidator.Validate(stream, "model.gguf");
        }, User),
        new("chat-request", "the server's body parsing: JsonDocument.Parse + ChatRequest.Parse (a 400 is a user error)", input =>
        {
            using var doc = JsonDocument.Parse(input);
            ChatRequest.Parse(doc.RootElement);
        }, ex => ex is BadRequestException or ApiErrorException { Status: 400 } or JsonException),
    ];

    /// <summary>The target called <paramref name="name"/>; unknown names list the known ones.</summary>
    public static FuzzTarget Get(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"unknown target {name}; targets: {string.Join(", ", All.Select(t => t.Name))}", nameof(name));

    private static bool User(Exception ex) => ex is LeverUserException;

    private static void Tokenize(string path)
    {
        var tokenizer = ModelTokenizer.Load(Path.GetDirectoryName(path)!);
        var ids = tokenizer.Encode("Hello world, the cat sat on the mat 123 <|im_start|>");
        tokenizer.Decode(ids);
        tokenizer.Decode(Enumerable.Range(0, Math.Min(tokenizer.VocabSize, 64)));
    }

    private static void Ingest(string path)
    {
        var reader = new DocumentReader(new IndexOptions());
        reader.Read(new SourceFile(Path.GetFileName(path), path));
    }

    /// <summary>Writes <paramref name="input"/> as <paramref name="fileName"/> in this thread's scratch folder (emptied first).</summary>
    private static string Scratch(string fileName, byte[] input)
    {
        t_scratch ??= Directory.CreateTempSubdirectory("lever-fuzz-").FullName;
        foreach (var f in Directory.EnumerateFiles(t_scratch)) File.Delete(f);
        var path = Path.Combine(t_scratch, fileName);
        File.WriteAllBytes(path, input);
        return path;
    }
}
