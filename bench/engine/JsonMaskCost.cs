// What finding the allowed tokens of constrained decoding costs per step, by vocabulary size and automaton state:
// synthetic vocabularies (the 256 single bytes plus seeded random lower-case words, a third with a leading space) of
// 4,096, 32,000 and 128,000 tokens, for states inside a key, a string value, after a colon and inside a number.
//   dotnet bench/engine/bin/Release/net10.0/Lever.Bench.Engine.dll --json-mask 1
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Lever.Core.Constraints;

/// <summary>Times <see cref="TokenVocabulary.Collect"/> (the mask of one step) and the trie's build.</summary>
internal static class JsonMaskCost
{
    public static void Run()
    {
        string[] prefixes = ["{\"ab", "{\"a\":\"xy", "{\"a\":", "{\"a\":[1,12"];
        Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Trim()}; {Environment.ProcessorCount} cores");
        Console.WriteLine("| vocabulary | trie build ms | " + string.Join(" | ", prefixes.Select(p => $"`{p}` ms/step (allowed)")) + " |");
        Console.WriteLine("|---|---|" + string.Concat(prefixes.Select(_ => "---|")));
        foreach (var size in new[] { 4096, 32000, 128000 })
        {
            var random = new Random(1);
            var tokens = Enumerable.Range(0, size).Select(i => i < 256 ? [(byte)i]
                : Encoding.UTF8.GetBytes((random.Next(3) == 0 ? " " : "") + new string(Enumerable.Range(0, random.Next(2, 9)).Select(_ => (char)random.Next('a', 'z' + 1)).ToArray())))
                .Cast<byte[]?>().ToList();
            var clock = Stopwatch.StartNew();
            var vocabulary = new TokenVocabulary(tokens);
            var build = clock.Elapsed.TotalMilliseconds;
            var cells = new List<string>();
            foreach (var prefix in prefixes)
            {
                var state = JsonPrefix.Start(JsonFormat.Object).Feed(Encoding.UTF8.GetBytes(prefix))!;
                var allowed = new List<int>();
                vocabulary.Collect(state, 200, allowed);   // warm-up
                const int Steps = 50;
                clock.Restart();
                for (var i = 0; i < Steps; i++)
                {
                    allowed.Clear();
                    vocabulary.Collect(state, 200, allowed);
                }
                cells.Add(FormattableString.Invariant($"{clock.Elapsed.TotalMilliseconds / Steps:F3} ({allowed.Count})"));
            }
            Console.WriteLine(FormattableString.Invariant($"| {size:N0} | {build:F0} | {string.Join(" | ", cells)} |"));
        }
    }
}
