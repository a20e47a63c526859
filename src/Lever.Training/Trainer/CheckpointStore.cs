// Crash-safe training checkpoints. Each checkpoint is a folder written under a temporary name — weights, optimizer
// state, trainer state, then a manifest of SHA-256 checksums — with every file fsynced, and renamed into place only
// when whole; the `latest` pointer is replaced atomically last. A kill -9 at any instant therefore leaves the previous
// checkpoint intact and pointed to, and a torn or corrupted checkpoint is detected by its checksums and skipped.
using System.Globalization;
using System.Text.Json;
using Lever.Engine.Checkpoints;
using Lever.Training.Internal;
using static TorchSharp.torch;

namespace Lever.Training.Trainer;

/// <summary>Reads and writes checkpoints under <c>&lt;run&gt;/checkpoints/step-NNNNNN/</c> and <c>&lt;run&gt;/best/</c>.</summary>
public sealed class CheckpointStore(string runDirectory)
{
    private const string WeightsFile = "trainable.safetensors";
    private const string OptimizerFile = "optimizer.safetensors";
    private const string StateFile = "trainer_state.json";
    private const string ManifestFile = "manifest.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Folder of the step checkpoints.</summary>
    public string CheckpointsDirectory => Path.Combine(runDirectory, "checkpoints");

    /// <summary>Folder holding the best weights by validation loss.</summary>
    public string BestDirectory => Path.Combine(runDirectory, "best");

    /// <summary>Writes a checkpoint for <paramref name="state"/>.Step; keeps the newest <paramref name="keep"/>.</summary>
    public string Save(TrainerState state, IReadOnlyDictionary<string, Tensor> weights, IReadOnlyDictionary<string, Tensor> optimizer, int keep = 2)
    {
        Directory.CreateDirectory(CheckpointsDirectory);
        var name = string.Create(CultureInfo.InvariantCulture, $"step-{state.Step:D6}");
        var final = Path.Combine(CheckpointsDirectory, name);
        WriteFolder(final, state, weights, optimizer);
        AtomicFile.WriteAllText(Path.Combine(CheckpointsDirectory, "latest"), name);
        foreach (var old in Directory.GetDirectories(CheckpointsDirectory, "step-*").Where(d => !d.EndsWith(".tmp", StringComparison.Ordinal)).Order(StringComparer.Ordinal).SkipLast(Math.Max(1, keep)))
            Directory.Delete(old, recursive: true);
        return final;
    }

    /// <summary>Writes the best weights (with the state that produced them) to <see cref="BestDirectory"/>.</summary>
    public void SaveBest(TrainerState state, IReadOnlyDictionary<string, Tensor> weights) =>
        WriteFolder(BestDirectory, state, weights, null);

    /// <summary>The best weights, or null when no evaluation has run.</summary>
    public Dictionary<string, Tensor>? LoadBest() =>
        Verify(BestDirectory) ? SafeTensors.ReadAll(Path.Combine(BestDirectory, WeightsFile)) : null;

    /// <summary>
    /// The newest intact checkpoint: the one <c>latest</c> names, else the newest that passes its checksums.
    /// Null when there is none.
    /// </summary>
    public (TrainerState State, Dictionary<string, Tensor> Weights, Dictionary<string, Tensor> Optimizer, string Path)? LoadLatest()
    {
        if (!Directory.Exists(CheckpointsDirectory)) return null;
        var candidates = Directory.GetDirectories(CheckpointsDirectory, "step-*")
            .Where(d => !d.EndsWith(".tmp", StringComparison.Ordinal)).OrderDescending(StringComparer.Ordinal).ToList();
        var latest = Path.Combine(CheckpointsDirectory, "latest");
        if (File.Exists(latest))
        {
            var named = Path.Combine(CheckpointsDirectory, File.ReadAllText(latest).Trim());
            candidates.Remove(named);
            candidates.Insert(0, named);
        }
        foreach (var dir in candidates)
        {
            if (!Verify(dir)) continue;
            var state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(Path.Combine(dir, StateFile)))!;
            return (state, SafeTensors.ReadAll(Path.Combine(dir, WeightsFile)), SafeTensors.ReadAll(Path.Combine(dir, OptimizerFile)), dir);
        }
        return null;
    }

    /// <summary>True when at least one intact checkpoint exists.</summary>
    public bool HasCheckpoint() =>
        Directory.Exists(CheckpointsDirectory) && Directory.GetDirectories(CheckpointsDirectory, "step-*").Any(d => !d.EndsWith(".tmp", StringComparison.Ordinal) && Verify(d));

    /// <summary>True when <paramref name="dir"/> has a manifest and every file in it matches its checksum.</summary>
    public static bool Verify(string dir)
    {
        var manifestPath = Path.Combine(dir, ManifestFile);
        if (!File.Exists(manifestPath)) return false;
        try
        {
            var manifest = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(manifestPath))!;
            return manifest.All(kv => File.Exists(Path.Combine(dir, kv.Key)) && AtomicFile.Sha256(Path.Combine(dir, kv.Key)) == kv.Value);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void WriteFolder(string final, TrainerState state, IReadOnlyDictionary<string, Tensor> weights, IReadOnlyDictionary<string, Tensor>? optimizer)
    {
        var temp = final + ".tmp";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        // 1) payload files, each forced to disk
        var files = new List<string> { WeightsFile, StateFile };
        SafeTensors.Write(Path.Combine(temp, WeightsFile), weights);
        if (optimizer is not null)
        {
            SafeTensors.Write(Path.Combine(temp, OptimizerFile), optimizer);
            files.Add(OptimizerFile);
        }
        AtomicFile.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(state, Json));
        foreach (var f in files) AtomicFile.Fsync(Path.Combine(temp, f));
        // 2) the manifest of checksums, last: its presence means the folder is whole
        var manifest = files.ToDictionary(f => f, f => AtomicFile.Sha256(Path.Combine(temp, f)));
        AtomicFile.WriteAllText(Path.Combine(temp, ManifestFile), JsonSerializer.Serialize(manifest, Json));
        // 3) swap into place: the old folder is moved aside first, so there is always one whole copy on disk
        var old = final + ".old";
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        if (Directory.Exists(final)) Directory.Move(final, old);
        Directory.Move(temp, final);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }
}
