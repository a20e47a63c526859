namespace Lever.Cli.Tests;

public sealed class DoctorCommandTests
{
    [Fact]
    public void Doctor_passes_on_this_machine_and_reports_the_libtorch_check()
    {
        var r = LeverProcess.Run(Path.GetTempPath(), "doctor");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("libtorch 2.10", r.Stdout);
        Assert.Contains("matmul + backward", r.Stdout);
        // Piped output is not laid out for 80 columns: the libtorch row, path included, stays on one line.
        var row = r.Stdout.Split('\n').Single(l => l.Contains("matmul + backward", StringComparison.Ordinal));
        Assert.Contains("native)", row, StringComparison.Ordinal);

        // The llama.cpp row: binding, llama.cpp and ggml builds, the CPU variant loaded (the best one the CPU runs).
        var llama = r.Stdout.Split('\n').Single(l => l.Contains("LLamaSharp 0.30.0", StringComparison.Ordinal));
        Assert.Contains("llama.cpp c0c7e147e7ef, ggml 0.18.0 (815a2a591)", llama, StringComparison.Ordinal);
        var variant = System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "avx512" : System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "avx2" : System.Runtime.Intrinsics.X86.Avx.IsSupported ? "avx" : "noavx";
        Assert.Matches($@"CPU variant {variant} \(.*/native/{variant}/libllama\.so\)", llama);
    }

    [Fact]
    public void Doctor_exits_2_with_one_line_reason_when_the_native_folder_is_broken()
    {
        var broken = Directory.CreateTempSubdirectory("lever-broken-native").FullName;
        try
        {
            // A real libc10 next to a truncated libtorch_cpu: loading it can even crash the process (SIGBUS).
            var native = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
            File.Copy(Path.Combine(native, "libc10.so"), Path.Combine(broken, "libc10.so"));
            using (var src = File.OpenRead(Path.Combine(native, "libtorch_cpu.so")))
            using (var dst = File.Create(Path.Combine(broken, "libtorch_cpu.so")))
            {
                var head = new byte[4096];
                src.ReadExactly(head);
                dst.Write(head);
            }
            var r = LeverProcess.Run(Path.GetTempPath(), "doctor", "--native-dir", broken);
            Assert.Equal(2, r.ExitCode);
            var reason = r.Stderr.Trim().Split('\n').Single(l => l.StartsWith("doctor:", StringComparison.Ordinal));
            Assert.Contains("libtorch", reason);
            Assert.Contains("Fix:", reason);
        }
        finally
        {
            Directory.Delete(broken, recursive: true);
        }
    }

    [Fact]
    public void Doctor_exits_2_when_the_native_folder_does_not_exist()
    {
        var r = LeverProcess.Run(Path.GetTempPath(), "doctor", "--native-dir", "/nonexistent/lever-native");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("native folder not found", r.Stderr);
    }

    [Fact]
    public void Unknown_command_is_a_user_error()
    {
        var r = LeverProcess.Run(Path.GetTempPath(), "no-such-command");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no-such-command", r.Stderr);
    }
}
