using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lever.Server.FineTuning.Internal;
using Lever.Server.Internal;

namespace Lever.Server.FineTuning;

/// <summary>
/// The state behind the fine-tuning API: uploaded files and jobs stored under <c>.lever/server/</c> (every write fsynced
/// before the server answers), and a durable queue that runs one job at a time on its own thread through an
/// <see cref="IFineTuneTrainer"/>. A job survives a kill -9 of the server: on the next start it resumes from its last
/// checkpoint. Succeeded jobs are handed to every <see cref="IFineTunedModelHost"/> (at once, and again at each start).
/// </summary>
public sealed partial class FineTuningService : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = false };
    private readonly IFineTuneTrainer _trainer;
    private readonly IFineTuningRecorder? _recorder;
    private readonly IReadOnlyList<IFineTunedModelHost> _hosts;
    private readonly object _gate = new();
    private readonly Dictionary<string, JobRecord> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StoredFile> _files = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private CancellationTokenSource? _current;
    private string? _currentId;
    private Thread? _worker;
    private long _sequence;

    /// <summary>
    /// Opens (or creates) the store in <paramref name="stateDirectory"/> (files/ and jobs/ under it); nothing runs until
    /// <see cref="Start"/>.
    /// </summary>
    public FineTuningService(string stateDirectory, FineTuningSettings settings, IFineTuneTrainer trainer, IFineTuningRecorder? recorder, IReadOnlyList<IFineTunedModelHost> hosts)
    {
        Settings = settings;
        _trainer = trainer;
        _recorder = recorder;
        _hosts = hosts;
        FilesDirectory = Path.Combine(stateDirectory, "files");
        JobsDirectory = Path.Combine(stateDirectory, "jobs");
        Directory.CreateDirectory(FilesDirectory);
        Directory.CreateDirectory(JobsDirectory);
        // Uploads a killed server was still receiving were never acknowledged: drop them.
        foreach (var partial in Directory.EnumerateFiles(FilesDirectory, "upload-*.tmp")) File.Delete(partial);
        foreach (var meta in Directory.EnumerateFiles(FilesDirectory, "*.json"))
        {
            var file = JsonSerializer.Deserialize<StoredFile>(File.ReadAllText(meta), Json)!;
            if (File.Exists(ContentPath(file.Id))) _files[file.Id] = file;
        }
        foreach (var dir in Directory.EnumerateDirectories(JobsDirectory))
        {
            var path = Path.Combine(dir, "job.json");
            if (File.Exists(path)) _jobs[Path.GetFileName(dir)] = JsonSerializer.Deserialize<JobRecord>(File.ReadAllText(path), Json)!;
        }
        _sequence = _jobs.Values.Select(j => j.Sequence).Concat(_files.Values.Select(f => f.Sequence)).DefaultIfEmpty(0).Max();
    }

    /// <summary>The limits and resources in force.</summary>
    public FineTuningSettings Settings { get; }

    /// <summary>Where uploads are kept (&lt;id&gt;.jsonl and &lt;id&gt;.json).</summary>
    public string FilesDirectory { get; }

    /// <summary>Where jobs are kept (&lt;id&gt;/job.json, events.jsonl, checkpoints.jsonl, run/).</summary>
    public string JobsDirectory { get; }

    /// <summary>The trainer jobs run on.</summary>
    internal IFineTuneTrainer Trainer => _trainer;

    /// <summary>Announces succeeded jobs' models to the hosts and starts the worker, which first resumes jobs a previous server left unfinished.</summary>
    public void Start()
    {
        List<JobRecord> done;
        lock (_gate) done = [.. _jobs.Values.Where(j => j.Status == FineTuningStatus.Succeeded).OrderBy(j => j.Sequence)];
        foreach (var job in done) Announce(job);
        _worker = new Thread(Work) { IsBackground = true, Name = "lever fine-tuning" };
        _worker.Start();
    }

    /// <summary>Stops the worker: a running job stops at its next step with a checkpoint and stays <c>running</c>, so the next start resumes it.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        _wake.Release();
        // A job stops at its next step; a worker still busy after a minute is left to the process's exit.
        if (_worker is null || _worker.Join(TimeSpan.FromSeconds(60))) _stopping.Dispose();
    }

    // ---- files ----

    internal static bool IsFileId(string id) => FileIdPattern().IsMatch(id);

    internal string ContentPath(string id) => Path.Combine(FilesDirectory, id + ".jsonl");

    /// <summary>Stores an upload: the bytes are already in <paramref name="tempPath"/> (fsynced); checked with the trainer's data rules, then moved under a new id.</summary>
    internal StoredFile AddFile(string tempPath, string filename, string purpose)
    {
        var check = _trainer.Check(tempPath);
        if (!check.Ok)
        {
            File.Delete(tempPath);
            throw new ApiErrorException(400, $"{filename}: {check.Describe()}; the file was not stored (the rules of `lever data validate`).", "invalid_request_error", "invalid_file", "file");
        }
        var id = "file-" + RandomHex();
        File.Move(tempPath, ContentPath(id));
        var file = new StoredFile(id, new FileInfo(ContentPath(id)).Length, Now(), filename, purpose, check.Examples, check.Format, Interlocked.Increment(ref _sequence));
        DurableFile.WriteAllText(Path.Combine(FilesDirectory, id + ".json"), JsonSerializer.Serialize(file, Json));
        lock (_gate) _files[id] = file;
        return file;
    }

    internal string NewUploadPath() => Path.Combine(FilesDirectory, $"upload-{RandomHex()}.tmp");

    internal IReadOnlyList<StoredFile> Files()
    {
        lock (_gate) return [.. _files.Values.OrderByDescending(f => f.Sequence)];
    }

    internal StoredFile FileById(string id)
    {
        lock (_gate)
            return IsFileId(id) && _files.TryGetValue(id, out var f) ? f : throw NotFound("File", id, "file_id");
    }

    internal void DeleteFile(string id)
    {
        lock (_gate)
        {
            var file = FileById(id);
            if (_jobs.Values.FirstOrDefault(j => !j.Terminal && (j.TrainingFile == id || j.ValidationFile == id)) is { } job)
                throw new ApiErrorException(400, $"{id} is used by {job.Id} ({job.Status}); cancel the job first.", "invalid_request_error", "file_in_use", "file_id");
            File.Delete(Path.Combine(FilesDirectory, id + ".json"));
            File.Delete(ContentPath(file.Id));
            _files.Remove(id);
        }
    }

    // ---- jobs ----

    internal static bool IsJobId(string id) => JobIdPattern().IsMatch(id);

    internal string JobDirectory(string id) => Path.Combine(JobsDirectory, id);

    internal JobRecord Create(string model, string trainingFile, string? validationFile, string? suffix, int? seed, Dictionary<string, string>? metadata,
        int? epochs, int? batchSize, double? multiplier, ServerIdentity caller, FineTuneMethod? method = null)
    {
        JobRecord job;
        lock (_gate)
        {
            if (_jobs.Values.Count(j => !j.Terminal) >= Settings.MaxQueuedJobs)
                throw new ApiErrorException(429, $"This server already has {Settings.MaxQueuedJobs} fine-tuning jobs waiting or running (server.fine_tuning.max_queued_jobs); retry when one finishes.", "rate_limit_error", "rate_limit_exceeded");
            var id = "ftjob-" + RandomHex();
            job = new JobRecord
            {
                Id = id, CreatedAt = Now(), Sequence = Interlocked.Increment(ref _sequence), Model = model, TrainingFile = trainingFile, ValidationFile = validationFile, Suffix = suffix,
                Seed = seed ?? RandomNumberGenerator.GetInt32(1, int.MaxValue), Metadata = metadata, Status = FineTuningStatus.ValidatingFiles,
                PlannedModel = $"ft:{model}:{suffix}:{id["ftjob-".Length..]}", RequestedEpochs = epochs, RequestedBatchSize = batchSize,
                RequestedLearningRateMultiplier = multiplier, CreatedBy = caller.Id, Method = method ?? FineTuneMethod.Default,
            };
            Directory.CreateDirectory(JobDirectory(id));
            Save(job);
            _jobs[id] = job;
            AddEvent(id, "info", $"Created fine-tuning job: {id}", null);
            AddEvent(id, "info", $"Validating training file: {trainingFile}" + (validationFile is null ? "" : $" and validation file: {validationFile}"), null);
        }
        _recorder?.Audit("created", AuditFields(job, caller.Id));
        _wake.Release();
        return job;
    }

    internal IReadOnlyList<JobRecord> Jobs()
    {
        lock (_gate) return [.. _jobs.Values.OrderByDescending(j => j.Sequence)];
    }

    internal JobRecord Job(string id)
    {
        lock (_gate)
            return IsJobId(id) && _jobs.TryGetValue(id, out var j) ? j : throw NotFound("fine-tuning job", id, "fine_tuning_job_id");
    }

    internal JobRecord Cancel(string id, ServerIdentity caller)
    {
        JobRecord job;
        lock (_gate)
        {
            job = Job(id);
            if (job.Terminal)
                throw new ApiErrorException(400, $"Job {id} has already {(job.Status == FineTuningStatus.Cancelled ? "been cancelled" : job.Status == FineTuningStatus.Succeeded ? "completed" : "failed")}.", "invalid_request_error", "job_not_cancellable", "fine_tuning_job_id");
            job = Update(job with { Status = FineTuningStatus.Cancelled, FinishedAt = Now() });
            AddEvent(id, "info", "Fine-tuning job cancelled", null);
            if (_currentId == id) _current?.Cancel();
        }
        _recorder?.Audit("cancelled", AuditFields(job, caller.Id));
        return job;
    }

    internal IReadOnlyList<JobEvent> Events(string id)
    {
        Job(id);
        lock (_gate) return [.. DurableFile.ReadLines(Path.Combine(JobDirectory(id), "events.jsonl")).Select(l => JsonSerializer.Deserialize<JobEvent>(l, Json)!).Reverse()];
    }

    internal IReadOnlyList<JobCheckpoint> Checkpoints(string id)
    {
        Job(id);
        lock (_gate) return [.. DurableFile.ReadLines(Path.Combine(JobDirectory(id), "checkpoints.jsonl")).Select(l => JsonSerializer.Deserialize<JobCheckpoint>(l, Json)!).Reverse()];
    }

    // ---- the worker ----

    private void Work()
    {
        while (!_stopping.IsCancellationRequested)
        {
            JobRecord? next;
            lock (_gate) next = _jobs.Values.Where(j => !j.Terminal).OrderBy(j => j.Sequence).FirstOrDefault();
            if (next is null)
            {
                _wake.Wait();
                continue;
            }
            try
            {
                Run(next);
            }
            catch (Exception ex)
            {
                Fail(next.Id, new JobError("training_failed", ex.Message, null));
            }
            bool unfinished;
            lock (_gate) unfinished = !_jobs[next.Id].Terminal;
            if (unfinished && !_stopping.IsCancellationRequested)
                Fail(next.Id, new JobError("training_failed", "the trainer stopped before the job finished", null));
        }
    }

    private void Run(JobRecord job)
    {
        if (job.Status == FineTuningStatus.ValidatingFiles)
        {
            if (Validate(job) is not { } resolved) return;
            job = resolved;
        }
        var basePath = _trainer.ResolveBase(job.Model);
        if (basePath is null)
        {
            Fail(job.Id, new JobError("model_not_available", $"The base model '{job.Model}' is no longer served here; it can fine-tune: {string.Join(", ", _trainer.Bases)}.", "model"));
            return;
        }
        var run = Path.Combine(JobDirectory(job.Id), "run");
        bool resume = job.Status == FineTuningStatus.Running && _trainer.CanResume(run);
        int resumedFrom = 0;
        lock (_gate)
        {
            job = _jobs[job.Id];
            if (job.Terminal) return;
            if (job.Status == FineTuningStatus.Running)
            {
                resumedFrom = LastMetricStep(job.Id);
                AddEvent(job.Id, "info", resume ? "Server restarted: resuming the job from its last checkpoint" : "Server restarted: the job had no checkpoint yet and starts again", null);
            }
            else
            {
                job = Update(job with { Status = FineTuningStatus.Running });
                AddEvent(job.Id, "info", "Fine-tuning job started", null);
            }
        }
        if (!resume && Directory.Exists(run)) Directory.Delete(run, recursive: true);
        var request = new FineTuneRequest
        {
            BaseModelPath = basePath, TrainingFile = ContentPath(job.TrainingFile), ValidationFile = job.ValidationFile is null ? null : ContentPath(job.ValidationFile),
            OutputDirectory = run, Epochs = job.Epochs!.Value, BatchSize = job.BatchSize!.Value, LearningRateMultiplier = job.LearningRateMultiplier!.Value,
            Seed = job.Seed, Threads = Settings.EffectiveThreads, CheckpointEvery = Settings.CheckpointEvery, Resume = resume,
            Method = job.Method ?? FineTuneMethod.Default,
        };
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        lock (_gate)
        {
            _current = cancel;
            _currentId = job.Id;
            if (_jobs[job.Id].Terminal) cancel.Cancel();
        }
        FineTuneOutcome outcome;
        try
        {
            outcome = _trainer.Train(request, new StepEvents(this, job, resumedFrom), cancel.Token);
        }
        finally
        {
            lock (_gate)
            {
                _current = null;
                _currentId = null;
            }
        }
        if (outcome.Interrupted) return; // cancelled (already recorded) or the server is stopping (resumed at the next start)
        var adapter = new FineTunedAdapter(job.PlannedModel, job.Model, basePath, run, job.Id, request.Method.IsFull);
        var registered = _recorder?.Register(adapter, request, outcome);
        lock (_gate)
        {
            if (_jobs[job.Id].Terminal) return;
            // Servable before anyone can read "succeeded": a client that polls the job and then asks for its model finds it.
            Announce(job);
            job = Update(_jobs[job.Id] with { Status = FineTuningStatus.Succeeded, FinishedAt = Now(), TrainedTokens = outcome.TrainedTokens, Registered = registered });
            AddEvent(job.Id, "info", $"New fine-tuned model created: {job.PlannedModel}" + (registered is null ? "" : $" (registry: {registered})"), null);
            AddEvent(job.Id, "info", "The job has successfully completed", null);
        }
        var fields = AuditFields(job, job.CreatedBy);
        fields["fine_tuned_model"] = job.PlannedModel;
        fields["steps"] = outcome.Steps;
        fields["train_loss"] = outcome.TrainLoss;
        if (registered is not null) fields["registered"] = registered;
        _recorder?.Audit("succeeded", fields);
    }

    /// <summary>Checks the job's files and resolves its "auto" hyperparameters; null when the job failed (or was cancelled meanwhile).</summary>
    private JobRecord? Validate(JobRecord job)
    {
        FineTuneFileCheck? training = null;
        foreach (var (fileId, param) in new[] { (job.TrainingFile, "training_file"), (job.ValidationFile, "validation_file") })
        {
            if (fileId is null) continue;
            var path = ContentPath(fileId);
            if (!File.Exists(path))
            {
                Fail(job.Id, new JobError("invalid_" + param, $"{param} {fileId} was deleted before the job ran.", param));
                return null;
            }
            var check = _trainer.Check(path);
            if (!check.Ok)
            {
                Fail(job.Id, new JobError("invalid_" + param, $"{param} {fileId}: {check.Describe()}.", param));
                return null;
            }
            training ??= check;
        }
        int examples = training!.Examples;
        int batch = job.RequestedBatchSize ?? Math.Clamp(examples / 10, 1, 8);
        int epochs = job.RequestedEpochs ?? AutoEpochs;
        double multiplier = job.RequestedLearningRateMultiplier ?? 1.0;
        lock (_gate)
        {
            if (_jobs[job.Id].Terminal) return null;
            var resolved = Update(_jobs[job.Id] with { Status = FineTuningStatus.Queued, Epochs = epochs, BatchSize = batch, LearningRateMultiplier = multiplier });
            AddEvent(job.Id, "info", string.Create(CultureInfo.InvariantCulture, $"Files validated ({examples} training examples); hyperparameters: n_epochs={epochs}, batch_size={batch}, learning_rate_multiplier={multiplier}"),
                new JsonObject { ["n_epochs"] = epochs, ["batch_size"] = batch, ["learning_rate_multiplier"] = multiplier, ["examples"] = examples });
            AddEvent(job.Id, "info", "Fine-tuning job queued", null);
            return resolved;
        }
    }

    /// <summary>n_epochs when a job asks for "auto".</summary>
    public const int AutoEpochs = 3;

    private void Fail(string id, JobError error)
    {
        JobRecord job;
        lock (_gate)
        {
            if (_jobs[id].Terminal) return;
            job = Update(_jobs[id] with { Status = FineTuningStatus.Failed, FinishedAt = Now(), Error = error });
            AddEvent(id, "error", $"Fine-tuning job failed: {error.Message}", null);
        }
        var fields = AuditFields(job, job.CreatedBy);
        fields["error"] = error.Message;
        _recorder?.Audit("failed", fields);
    }

    private void Announce(JobRecord job)
    {
        var basePath = _trainer.ResolveBase(job.Model);
        if (basePath is null) return;
        var adapter = new FineTunedAdapter(job.PlannedModel, job.Model, basePath, Path.Combine(JobDirectory(job.Id), "run"), job.Id, job.Method?.IsFull == true);
        foreach (var host in _hosts) host.AdapterReady(adapter);
    }

    private int LastMetricStep(string id) =>
        DurableFile.ReadLines(Path.Combine(JobDirectory(id), "events.jsonl")).Select(l => JsonSerializer.Deserialize<JobEvent>(l, Json)!)
            .Where(e => e.Type == "metrics").Select(e => e.Data?["step"]?.GetValue<int>() ?? 0).DefaultIfEmpty(0).Max();

    /// <summary>Step metrics and checkpoints as they happen; steps a killed server already reported are not repeated.</summary>
    private sealed class StepEvents(FineTuningService service, JobRecord job, int reported) : IProgress<FineTuneStep>
    {
        private int _reported = reported;

        public void Report(FineTuneStep s)
        {
            lock (service._gate)
            {
                if (service._jobs[job.Id].Terminal) return;
                if (s.Step > _reported)
                {
                    _reported = s.Step;
                    var data = new JsonObject { ["step"] = s.Step, ["total_steps"] = s.TotalSteps, ["train_loss"] = s.TrainLoss, ["learning_rate"] = s.LearningRate };
                    if (s.ValidLoss is { } v) data["valid_loss"] = v;
                    service.AddEvent(job.Id, "info", string.Create(CultureInfo.InvariantCulture, $"Step {s.Step}/{s.TotalSteps}: training loss={s.TrainLoss:0.0000}") +
                        (s.ValidLoss is { } vl ? string.Create(CultureInfo.InvariantCulture, $", validation loss={vl:0.0000}") : ""), data, "metrics");
                }
                if (s.Checkpoint)
                {
                    var checkpoint = new JobCheckpoint("ftckpt-" + RandomHex(), Now(), $"{job.PlannedModel}:ckpt-step-{s.Step}", s.Step, s.TrainLoss, s.ValidLoss);
                    DurableFile.AppendLine(Path.Combine(service.JobDirectory(job.Id), "checkpoints.jsonl"), JsonSerializer.Serialize(checkpoint, Json));
                }
            }
        }
    }

    // ---- storage ----

    private JobRecord Update(JobRecord job)
    {
        Save(job);
        _jobs[job.Id] = job;
        return job;
    }

    private void Save(JobRecord job) => DurableFile.WriteAllText(Path.Combine(JobDirectory(job.Id), "job.json"), JsonSerializer.Serialize(job, Json));

    private void AddEvent(string id, string level, string message, JsonObject? data, string type = "message") =>
        DurableFile.AppendLine(Path.Combine(JobDirectory(id), "events.jsonl"), JsonSerializer.Serialize(new JobEvent("ftevent-" + RandomHex(), Now(), level, message, type, data), Json));

    private static JsonObject AuditFields(JobRecord job, string identity) => new()
    {
        ["job"] = job.Id, ["model"] = job.Model, ["training_file"] = job.TrainingFile, ["validation_file"] = job.ValidationFile, ["suffix"] = job.Suffix,
        ["seed"] = job.Seed, ["status"] = job.Status, ["identity"] = identity, ["training"] = (job.Method ?? FineTuneMethod.Default).Training,
    };

    private static ApiErrorException NotFound(string what, string id, string param) =>
        new(404, $"No such {what}: '{id}'.", "invalid_request_error", what == "File" ? "file_not_found" : "fine_tuning_job_not_found", param);

    private static string RandomHex() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    [GeneratedRegex("^file-[0-9a-f]{24}$")]
    private static partial Regex FileIdPattern();

    [GeneratedRegex("^ftjob-[0-9a-f]{24}$")]
    private static partial Regex JobIdPattern();
}
