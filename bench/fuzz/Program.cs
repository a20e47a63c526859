// Lever.Fuzz: `list` the targets; `run TARGET` is the loop AFL++ drives (SharpFuzz out-of-process: one input per
// iteration on stdin-shared memory); `replay TARGET PATH...` runs files or folders once and prints each outcome
// (exit 1 when any crashed); `mutate TARGET SEED COUNT CORPUS CRASHES` runs COUNT fixed-seed mutations of every corpus
// file and writes each crashing input to CRASHES (exit 1 when any). See docs/RELIABILITY.md and run.sh.
using Lever.Fuzz;
using SharpFuzz;

if (args.Length == 0 || args[0] == "list")
{
    foreach (var t in FuzzTargets.All) Console.WriteLine($"{t.Name,-16} {t.Description}");
    return 0;
}
if (args.Length < 2) return Usage();
var target = FuzzTargets.Get(args[1]);
switch (args[0])
{
    case "run":
        target.Warm?.Invoke();
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var (_, crash) = target.Run(buffer.ToArray());
            if (crash is not null) throw new InvalidOperationException($"{target.Name}: {crash.GetType().Name} escaped the parser", crash);
        });
        return 0;
    case "replay":
        var crashes = 0;
        foreach (var file in args.Skip(2).SelectMany<string, string>(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal) : [p]))
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var (outcome, crash) = target.Run(File.ReadAllBytes(file), out var message);
            Console.WriteLine($"{outcome,-10} {watch.ElapsedMilliseconds,6} ms  {file}{(message is null ? "" : "\n           " + message)}");
            if (crash is null) continue;
            crashes++;
            Console.WriteLine(crash);
        }
        return crashes == 0 ? 0 : 1;
    case "mutate" when args.Length is 6 or 7:
        // COUNT fixed-seed mutants of each corpus file; crashing ones are saved to CRASHES; -v prints every outcome.
        var seed = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        var count = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        var verbose = args.Length == 7 && args[6] == "-v";
        var tally = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var found = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var file in Directory.EnumerateFiles(args[4]).Order(StringComparer.Ordinal))
        {
            var i = 0;
            foreach (var (kind, bytes) in Lever.Testing.SeededMutator.Mutants(File.ReadAllBytes(file), seed, count))
            {
                var (outcome, crash) = target.Run(bytes, out var why);
                tally[outcome] = tally.GetValueOrDefault(outcome) + 1;
                if (verbose) Console.WriteLine($"{Path.GetFileName(file)} {i} {kind,-8} {outcome}: {why ?? crash?.Message}");
                if (crash is not null)
                {
                    Directory.CreateDirectory(args[5]);
                    var saved = Path.Combine(args[5], $"{Path.GetFileName(file)}.seed{seed}.{i}.{kind}");
                    File.WriteAllBytes(saved, bytes);
                    Console.WriteLine($"crash  {saved}: {crash.GetType().Name}: {crash.Message.Split('\n')[0]}");
                    found++;
                }
                i++;
            }
        }
        Console.WriteLine($"{target.Name}: {string.Join(", ", tally.Select(kv => $"{kv.Value} {kv.Key}"))} in {clock.Elapsed.TotalSeconds:F1} s");
        return found == 0 ? 0 : 1;
    default:
        return Usage();
}

static int Usage()
{
    Console.Error.WriteLine("usage: Lever.Fuzz list | run TARGET | replay TARGET FILE_OR_FOLDER... | mutate TARGET SEED COUNT CORPUS_DIR CRASHES_DIR [-v]");
    return 2;
}
