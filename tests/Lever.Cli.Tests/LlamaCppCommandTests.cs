using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Lever.Cli.Tests;

/// <summary><c>.gguf</c> paths through the lever process: bad files are one user error (exit 2) before llama.cpp sees them; good ones run on llama.cpp.</summary>
public sealed class LlamaCppCommandTests : IDisposable
{
    private readonly TempWorkspace _tmp = new("lever-cli-llamacpp-");

    public void Dispose() => _tmp.Dispose();

    /// <summary>GGUF v3 bytes with the given string metadata and nothing else.</summary>
    private static byte[] Gguf(params (string Key, string Value)[] metadata)
    {
        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream, Encoding.UTF8);
        w.Write("GGUF"u8);
        w.Write(3u);
        w.Write(0UL);
        w.Write((ulong)metadata.Length);
        foreach (var (key, value) in metadata)
        {
            w.Write((ulong)Encoding.UTF8.GetByteCount(key)); w.Write(Encoding.UTF8.GetBytes(key));
            w.Write(8u);
            w.Write((ulong)Encoding.UTF8.GetByteCount(value)); w.Write(Encoding.UTF8.GetBytes(value));
        }
        w.Flush();
        return stream.ToArray();
    }

    [Theory]
    [InlineData("truncated", "truncated: value of 'general.architecture' claims 5 bytes")]
    [InlineData("not-gguf", "no GGUF magic")]
    [InlineData("unknown-arch", "architecture 'gpt-7' is not one this llama.cpp build loads")]
    public void A_bad_gguf_is_one_error_naming_the_file_and_exit_2(string kind, string expected)
    {
        var bytes = kind switch
        {
            "truncated" => Gguf(("general.architecture", "llama"))[..^3],
            "not-gguf" => "{\"model_type\": \"llama\"}"u8.ToArray(),
            _ => Gguf(("general.architecture", "gpt-7")),
        };
        var path = _tmp.Combine(kind + ".gguf");
        File.WriteAllBytes(path, bytes);
        var r = LeverProcess.Run(_tmp.Root, "generate", "-m", path, "-p", "hi");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Stdout.Trim());
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);   // the error, then the hint — no native log, no stack trace
        Assert.StartsWith($"error: {path}: not a usable GGUF file: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.StartsWith("hint: ", lines[1], StringComparison.Ordinal);
    }

    private void InitTiny()
    {
        Assert.Equal(0, LeverProcess.Run(_tmp.Root, "model", "init", "--config", "tiny", "-o", "tiny", "--seed", "4").ExitCode);
    }

    [Fact]
    public void An_exported_model_generates_on_llama_cpp_with_the_engines_greedy_ids()
    {
        InitTiny();
        var export = LeverProcess.Run(_tmp.Root, "model", "export-gguf", "-m", "tiny", "-o", "tiny.gguf");
        Assert.True(export.ExitCode == 0, export.Stderr);

        var llama = LeverProcess.Run(_tmp.Root, "generate", "-m", "tiny.gguf", "-p", "the cat sat", "-n", "12", "-t", "0", "--show-ids");
        Assert.True(llama.ExitCode == 0, llama.Stderr);
        Assert.Contains("llama.cpp, ", llama.Stderr, StringComparison.Ordinal);
        var engine = LeverProcess.Run(_tmp.Root, "generate", "-m", "tiny", "-p", "the cat sat", "-n", "12", "-t", "0", "--show-ids");
        Assert.Equal(0, engine.ExitCode);
        static string Ids(string stderr) => stderr.Split('\n').Single(l => l.StartsWith("ids: ", StringComparison.Ordinal));
        Assert.Equal(Ids(engine.Stderr), Ids(llama.Stderr));
    }

    [Fact]
    public void A_quantized_export_lists_its_tensor_types_and_evaluates_through_eval_model()
    {
        InitTiny();
        // llama.cpp's quantizer, every tensor's type listed, the 344-wide ffn_down as the stated F16 fallback.
        var q8 = LeverProcess.Run(_tmp.Root, "model", "export-gguf", "-m", "tiny", "-o", "tiny-q8.gguf", "--type", "q8_0");
        Assert.True(q8.ExitCode == 0, q8.Stderr);
        var down = q8.Stdout.Split('\n').Single(l => l.Contains("blk.0.ffn_down.weight", StringComparison.Ordinal));
        Assert.Matches(@"F16\s+\[344, 128\]\s+rows of 344 do not fit Q8_0's blocks of 32: fallback", down);
        Assert.Contains("29 tensors (19 Q8_0, 7 F32, 3 F16)", q8.Stdout, StringComparison.Ordinal);

        _tmp.Write("set.jsonl", "{\"input\":\"a b\",\"expected\":\"x\"}\n{\"input\":\"c d\",\"expected\":\"y\"}\n");
        var eval = LeverProcess.Run(_tmp.Root, "eval", "--model", "tiny-q8.gguf", "--set", "set.jsonl", "--json", "--workspace", _tmp.Root);
        Assert.True(eval.ExitCode == 0, eval.Stderr + eval.Stdout);
        using var summary = JsonDocument.Parse(eval.Stdout.Trim().Split('\n')[^1]);
        Assert.Equal(2, summary.RootElement.GetProperty("items").GetInt32());
    }

    [Fact]
    public async Task Serve_model_gguf_answers_on_llama_cpp_and_reports_the_cached_prefix()
    {
        InitTiny();
        Assert.Equal(0, LeverProcess.Run(_tmp.Root, "model", "export-gguf", "-m", "tiny", "-o", "tiny.gguf").ExitCode);
        var start = LeverProcess.StartInfo(_tmp.Root, "serve", "--model", "tiny.gguf", "--port", "0", "--workspace", _tmp.Root);
        start.Environment["LEVER_SERVER_KEY"] = "gguf-test-token";
        using var process = Process.Start(start)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(line?.StartsWith("lever serve: http://127.0.0.1:", StringComparison.Ordinal), line);
            Assert.Contains("provider 'llamacpp'", line, StringComparison.Ordinal);
            var baseUrl = line!["lever serve: ".Length..].Split(' ')[0];
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "gguf-test-token");
            async Task<JsonElement> Ask()
            {
                using var response = await http.PostAsync(baseUrl + "/chat/completions", new StringContent("""{"model":"tiny","messages":[{"role":"user","content":"hello there"}],"max_tokens":4,"temperature":0}""", Encoding.UTF8, "application/json"));
                Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            }
            var first = await Ask();
            var second = await Ask();
            Assert.Equal("tiny", first.GetProperty("model").GetString());
            var prompt = first.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
            Assert.InRange(first.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), 1, 4);
            Assert.Equal(0, first.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
            Assert.Equal(prompt - 1, second.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
