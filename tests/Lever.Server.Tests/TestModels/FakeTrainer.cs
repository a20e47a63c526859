using System.Collections.Concurrent;
using System.Text.Json;
using Lever.Server.FineTuning;

namespace Lever.Server.Tests.TestModels;

/// <summary>
/// A stand-in trainer for the fine-tuning API's tests: files are valid when every line is a JSON object with "prompt"
/// and "completion"; a job takes epochs × ⌈examples / batch⌉ steps of loss 1/step, checkpoints as asked, and can be
/// held before each step (<see cref="Hold"/>) so a test can cancel or restart it mid-run.
/// </summary>
internal sealed class FakeTrainer(string baseId = "base") : IFineTuneTrainer
{
    public IReadOnlyList<string> Bases => [baseId];

    /// <summary>When set, each step waits for a release (cancellable).</summary>
    public SemaphoreSlim? Hold { get; set; }

    /// <summary>Every request the worker made, in order.</summary>
    public ConcurrentQueue<FineTuneRequest> Requests { get; } = new();

    /// <summary>Steps run (all jobs).</summary>
    public ConcurrentQueue<int> StepsRun { get; } = new();

    public string? ResolveBase(string model) => model == baseId ? "/models/" + baseId : null;

    public FineTuneFileCheck Check(string path)
    {
        var problems = new List<(int, string)>();
        int examples = 0, line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            try
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.TryGetProperty("prompt", out _) && doc.RootElement.TryGetProperty("completion", out _)) examples++;
                else problems.Add((line, "needs \"prompt\" and \"completion\""));
            }
            catch (JsonException)
            {
                problems.Add((line, "invalid JSON"));
            }
        }
        return new FineTuneFileCheck(examples, problems.Count, problems, "prompt/completion");
    }

    public bool CanResume(string outputDirectory) => File.Exists(Path.Combine(outputDirectory, "step"));

    public FineTuneOutcome Train(FineTuneRequest request, IProgress<FineTuneStep> progress, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        int examples = Check(request.TrainingFile).Examples;
        int total = request.Epochs * (int)Math.Ceiling(examples / (double)request.BatchSize);
        Directory.CreateDirectory(request.OutputDirectory);
        var marker = Path.Combine(request.OutputDirectory, "step");
        int start = request.Resume && File.Exists(marker) ? int.Parse(File.ReadAllText(marker), System.Globalization.CultureInfo.InvariantCulture) : 0;
        for (int step = start + 1; step <= total; step++)
        {
            try
            {
                Hold?.Wait(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return new FineTuneOutcome { Steps = step - 1, Interrupted = true };
            }
            StepsRun.Enqueue(step);
            bool checkpoint = step % request.CheckpointEvery == 0 || step == total;
            if (checkpoint) File.WriteAllText(marker, step.ToString(System.Globalization.CultureInfo.InvariantCulture));
            progress.Report(new FineTuneStep(step, total, 1.0 / step, null, 1e-3, checkpoint));
        }
        File.WriteAllText(Path.Combine(request.OutputDirectory, "adapter_config.json"), "{}");
        return new FineTuneOutcome { Steps = total, TrainLoss = 1.0 / total, TrainedTokens = 100L * total };
    }
}
