using System.CommandLine;
using System.Diagnostics;
using Lever.Core;
using Lever.Engine.Tokenizers;
using Spectre.Console;

namespace Lever.Cli.Commands;

/// <summary><c>lever tokenizer train</c>: byte-level BPE for models trained from scratch.</summary>
internal sealed class TokenizerCommand : ILeverCommand
{
    public Command Create()
    {
        var corpus = new Option<string[]>("--corpus") { Description = "text files or folders of them (*.txt, *.md, *.jsonl read as text)", Required = true, AllowMultipleArgumentsPerToken = true };
        var vocab = new Option<int>("--vocab") { Description = "vocabulary size including special tokens", DefaultValueFactory = _ => 8192 };
        var output = new Option<string>("--output", "-o") { Description = "folder for tokenizer.json and tokenizer_config.json", Required = true };
        var train = new Command("train", "Train a byte-level BPE tokenizer (tokenizer.json loadable by Hugging Face and Microsoft.ML.Tokenizers).") { corpus, vocab, output };
        train.SetAction((parse, ct) => Task.FromResult(Train(parse.GetValue(corpus)!, parse.GetValue(vocab), parse.GetValue(output)!, ct)));
        return new Command("tokenizer", "Train tokenizers.") { train };
    }

    private static int Train(string[] inputs, int vocab, string output, CancellationToken ct)
    {
        var files = CorpusFiles(inputs);
        var watch = Stopwatch.StartNew();
        TrainedBpe? trained = null;
        AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("merges", maxValue: Math.Max(1, vocab));
                trained = BpeTrainer.Train(ReadLines(files, ct), vocab, progress: new SyncProgress(p => { task.MaxValue = Math.Max(1, p.Total); task.Value = p.Done; }), cancellationToken: ct);
                task.Value = task.MaxValue;
            });
        trained!.Save(output);
        AnsiConsole.MarkupLineInterpolated($"[green]tokenizer written[/] to {output}: {trained.VocabSize} tokens ({trained.MergePairs.Count} merges, {trained.ReservedTokens.Count} reserved) from {files.Count} file(s) in {watch.Elapsed.TotalSeconds:F1}s");
        return 0;
    }

    private static List<string> CorpusFiles(string[] inputs)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (File.Exists(input)) files.Add(input);
            else if (Directory.Exists(input))
                files.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
                    .Where(f => Path.GetExtension(f) is ".txt" or ".md" or ".jsonl" or ".text").Order(StringComparer.Ordinal));
            else throw new LeverUserException($"--corpus {input}: no such file or folder", "pass text files or folders holding *.txt / *.md files");
        }
        if (files.Count == 0) throw new LeverUserException("--corpus: no text files found", "pass text files or folders holding *.txt / *.md files");
        return files;
    }

    private static IEnumerable<string> ReadLines(List<string> files, CancellationToken ct)
    {
        foreach (var file in files)
            foreach (var line in File.ReadLines(file))
            {
                ct.ThrowIfCancellationRequested();
                yield return line + "\n";
            }
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool after the bar is gone).</summary>
    private sealed class SyncProgress(Action<(int Done, int Total)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }
}
