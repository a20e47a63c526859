// bench/engine: Lever's engine next to llama.cpp on the same model (exported to GGUF, F32) and thread count.
//   dotnet run -c Release --project bench/engine -- [--presets small,base] [--threads 1,<cores>] [--prompt 128] [--decode 32] [--repeats 5]
//     [--batches 1,8] [--prefix 1] [--plain 0] [--inference 0]   (--profile small: where one decode step's time goes;
//     --json-mask 1: what the response_format mask costs per step, JsonMaskCost.cs)
// Measures prefill and decode tokens/s at batch 1 and 8, and the time to first token of a request whose 1,000-token
// prefix is in the prefix cache versus not. Prints a Markdown table for docs/PERFORMANCE.md: min / median / max over
// --repeats runs per side (ratios of medians), after one discarded warm-up run on each side, at each thread count, with
// the load average at start. Both sides prefill prompt - 1 tokens; the last prompt token is the first decode input.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Lever.Engine.Checkpoints;
using Lever.Engine.Generation;
using Lever.Engine.Gguf;
using Lever.Engine.Modules;
using Lever.Engine.Tokenizers;
using static TorchSharp.torch;

var opts = ParseArgs(args);
var presets = opts.GetValueOrDefault("presets", "small,base").Split(',');
var threadCounts = opts.GetValueOrDefault("threads", $"1,{Environment.ProcessorCount}").Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).Distinct().ToArray();
var promptTokens = int.Parse(opts.GetValueOrDefault("prompt", "128"), CultureInfo.InvariantCulture);
var decodeTokens = int.Parse(opts.GetValueOrDefault("decode", "32"), CultureInfo.InvariantCulture);
var repeats = int.Parse(opts.GetValueOrDefault("repeats", "5"), CultureInfo.InvariantCulture);
// --plain 1 decodes through the modules' own weights, as before DecodeWeights (for before/after comparisons).
var plain = opts.GetValueOrDefault("plain", "0") == "1";
// --inference 1 runs Lever under inference_mode instead of no_grad.
var batches = opts.GetValueOrDefault("batches", "1,8").Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray();
var prefixBench = opts.GetValueOrDefault("prefix", "1") == "1";
var inference = opts.GetValueOrDefault("inference", "0") == "1";
var repo = FindRepo();
var work = Path.Combine(repo, "artifacts", "bench", "engine");
set_num_threads(threadCounts[^1]);
set_num_interop_threads(1);

if (opts.ContainsKey("json-mask"))
{
    JsonMaskCost.Run();
    return;
}

if (opts.TryGetValue("profile", out var profiled))
{
    var profileDir = Path.Combine(work, profiled);
    if (!File.Exists(Path.Combine(profileDir, "model.safetensors"))) ModelInitializer.Create(profiled, profileDir, seed: 1);
    using var profileModel = HfCheckpoint.Load(profileDir);
    DecodeProfile.Run(profileModel, promptTokens, int.Parse(opts.GetValueOrDefault("steps", "40"), CultureInfo.InvariantCulture));
    return;
}

Console.WriteLine($"{(plain ? "plain module weights" : "DecodeWeights")}{(inference ? ", inference_mode" : "")}, threads {string.Join(",", threadCounts)}, prompt {promptTokens} tokens ({promptTokens - 1} prefilled), decode {decodeTokens} tokens, min / median / max of {repeats} runs after 1 warm-up each side; {Environment.ProcessorCount} cores visible; load average at start {LoadAverage()}; libtorch {__version__}");
Console.WriteLine();
Console.WriteLine("| model | threads | batch | Lever prefill tok/s | llama.cpp prefill tok/s | ratio | Lever decode tok/s | llama.cpp decode tok/s | ratio |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
foreach (var threads in threadCounts)
foreach (var preset in presets)
{
    set_num_threads(threads);
    var dir = Path.Combine(work, preset);
    if (!File.Exists(Path.Combine(dir, "model.safetensors"))) ModelInitializer.Create(preset, dir, seed: 1);
    var gguf = Path.Combine(dir, "model.gguf");
    if (!File.Exists(gguf)) GgufExporter.Export(dir, gguf);
    using var model = HfCheckpoint.Load(dir);
    using var fast = plain ? null : DecodeWeights.TryBuild(model);
    foreach (var batch in batches)
    {
        var (leverPrefill, leverDecode) = MeasureLever(model, fast, inference, batch, promptTokens, decodeTokens, repeats);
        var (cppPrefill, cppDecode) = MeasureLlamaCpp(gguf, threads, promptTokens, decodeTokens, batch, repeats);
        var million = ModelPresets.ParameterCount(model.Config) / 1e6;
        Console.WriteLine(FormattableString.Invariant(
            $"| {preset} ({million:F0}M) | {threads} | {batch} | {Spread(leverPrefill, "F0")} | {Spread(cppPrefill, "F0")} | {Median(leverPrefill) / Median(cppPrefill):F2}× | {Spread(leverDecode, "F1")} | {Spread(cppDecode, "F1")} | {Median(leverDecode) / Median(cppDecode):F2}× |"));
    }
}

// Prefix cache: a 1,000-token shared prefix (system prompt + retrieved context), then a short question.
if (prefixBench)
{
    var preset = presets[0];
    var dir = Path.Combine(work, preset);
    using var generator = TextGenerator.Load(dir);
    var prefix = Enumerable.Range(0, 1000).Select(i => 3 + (i * 7919) % 250).ToList();
    var options = new GenerationOptions { MaxTokens = 1 };
    double Ttft(int question, bool cached)
    {
        var prompt = prefix.Concat(Enumerable.Range(0, 12).Select(i => 3 + (question * 31 + i) % 250)).ToList();
        return generator.Generate(prompt, options with { UsePrefixCache = cached }).TimeToFirstToken.TotalMilliseconds;
    }
    Ttft(0, true);   // warm-up; leaves the prefix in the cache
    Ttft(1000, false);   // and the uncached path the same way
    var uncached = Enumerable.Range(1, repeats).Select(q => Ttft(q, false)).ToList();
    var cached = Enumerable.Range(1, repeats).Select(q => Ttft(100 + q, true)).ToList();
    Console.WriteLine();
    Console.WriteLine(FormattableString.Invariant($"prefix cache ({preset}, {threadCounts[^1]} threads, 1,000-token prefix + 12-token question, min / median / max of {repeats}): first token {Spread(uncached, "F0")} ms uncached, {Spread(cached, "F1")} ms cached: {Median(uncached) / Median(cached):F1}× sooner"));
}

static (List<double> Prefill, List<double> Decode) MeasureLever(LlamaForCausalLM model, DecodeWeights? fast, bool inference, int batch, int promptTokens, int decodeTokens, int repeats)
{
    using var noGrad = no_grad();
    using var inferenceMode = inference ? inference_mode() : null;
    var prefill = new List<double>();
    var decode = new List<double>();
    var prompt = Enumerable.Range(0, promptTokens).Select(i => (long)(3 + (i * 7919) % 250)).ToArray();
    // prompt - 1 tokens prefilled; the last one is the first decode step's input, exactly as llama_bench.mjs does.
    var ids = Enumerable.Repeat(prompt[..^1], batch).SelectMany(p => p).ToArray();
    var last = tensor(Enumerable.Repeat(prompt[^1], batch).ToArray(), [batch, 1]);
    for (var r = 0; r < repeats + 1; r++)   // first round warms up
    {
        using var scope = NewDisposeScope();
        using var cache = new KvCache(model.Config, batch, promptTokens + decodeTokens + 1);
        var watch = Stopwatch.StartNew();
        model.Forward(tensor(ids, [batch, promptTokens - 1]), null, cache, lastTokenOnly: true, weights: fast);
        var p = batch * (promptTokens - 1) / watch.Elapsed.TotalSeconds;
        var next = last;
        watch.Restart();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < decodeTokens; i++)
        {
            using var step = NewDisposeScope();
            var logits = model.Forward(next, null, cache, lastTokenOnly: true, weights: fast);
            next = logits[.., 0].argmax(-1).unsqueeze(1).MoveToOuterDisposeScope();   // (B, 1)
        }
        var d = batch * decodeTokens / watch.Elapsed.TotalSeconds;
        if (Environment.GetEnvironmentVariable("LEVER_BENCH_CPU") == "1")
            Console.Error.WriteLine(FormattableString.Invariant($"  batch {batch}: decode wall {watch.Elapsed.TotalMilliseconds / decodeTokens:F2} ms/step, process CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / decodeTokens:F2} ms/step"));
        if (r > 0) { prefill.Add(p); decode.Add(d); }
    }
    return (prefill, decode);
}

static (List<double> Prefill, List<double> Decode) MeasureLlamaCpp(string gguf, int threads, int promptTokens, int decodeTokens, int batch, int repeats)
{
    var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "llama_bench.mjs"), gguf, $"{threads}", $"{promptTokens}", $"{decodeTokens}", $"{batch}", $"{repeats}", "1" })
        start.ArgumentList.Add(a);
    start.Environment["LEVER_NODE_MODULES"] = Path.Combine(FindRepo(), "artifacts", "node", "node_modules");
    using var node = Process.Start(start)!;
    var output = node.StandardOutput.ReadToEnd();
    var error = node.StandardError.ReadToEnd();
    node.WaitForExit();
    if (node.ExitCode != 0) throw new InvalidOperationException("llama.cpp bench failed (run build/setup.sh --tests): " + error);
    using var json = JsonDocument.Parse(output);
    List<double> Runs(string name) => json.RootElement.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToList();
    return (Runs("prefill"), Runs("decode"));
}

static double Median(IEnumerable<double> xs)
{
    var sorted = xs.Order().ToList();
    return sorted[sorted.Count / 2];
}

static string Spread(IReadOnlyCollection<double> xs, string format) =>
    string.Create(CultureInfo.InvariantCulture, $"{xs.Min().ToString(format, CultureInfo.InvariantCulture)} / {Median(xs).ToString(format, CultureInfo.InvariantCulture)} / {xs.Max().ToString(format, CultureInfo.InvariantCulture)}");

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

static string FindRepo()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Lever.slnx"))) return dir.FullName;
    throw new InvalidOperationException("run from inside the repository");
}

static Dictionary<string, string> ParseArgs(string[] args)
{
    var result = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i + 1 < args.Length; i += 2) result[args[i].TrimStart('-')] = args[i + 1];
    return result;
}
