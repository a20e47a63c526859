using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Core.Config;
using Lever.Registry.Internal;

namespace Lever.Registry;

/// <summary>
/// The technical documentation of one registered version, organised after the EU AI Act's Annex IV headings
/// (Regulation (EU) 2024/1689), filled only from what the registry, its audit log and lever.yaml recorded: every field
/// either carries recorded data or says "not recorded". It also says which Article 12 log fields Lever records and what a
/// human must still add. Rendered as Markdown or HTML.
/// </summary>
public sealed class Dossier
{
    /// <summary>The text of a field Lever has no record for.</summary>
    public const string NotRecorded = "not recorded";

    private readonly List<DossierSection> _sections = [];

    private Dossier(string title, string subtitle)
    {
        Title = title;
        Subtitle = subtitle;
    }

    /// <summary>The document's title.</summary>
    public string Title { get; }

    /// <summary>The line under the title (version, hash, date).</summary>
    public string Subtitle { get; }

    /// <summary>How many fields say "not recorded".</summary>
    public int NotRecordedCount => _sections.Sum(s => s.Rows.Count(r => r.Value == NotRecorded));

    /// <summary>Builds the dossier of <paramref name="version"/> from <paramref name="registry"/>, its audit log and the workspace's lever.yaml.</summary>
    public static Dossier Build(ArtifactRegistry registry, ArtifactVersion version, DateTime? now = null)
    {
        var ws = registry.Workspace;
        var config = LeverConfig.Load(ws.ConfigPath);
        var l = version.Lineage;
        var lab = l["lab"] as JsonObject;
        var advice = l["advice"] as JsonObject;
        var training = l["training"] as JsonObject;
        var all = registry.List(version.Name);
        // One row per run: a gate that re-measures the holder reuses its cached run, so keep the latest record of each.
        var evals = registry.Evals(version).GroupBy(e => e["run"]?.ToString() ?? "").Select(g => g.Last()).ToList();
        var history = AuditLog.Read(registry.AuditPath).Where(e => e["name"]?.ToString() == version.Name).ToList();
        var d = new Dossier($"Technical documentation: {version.Reference}",
            $"{ArtifactKinds.Name(version.Kind)} · sha256 {version.Sha256} · generated {(now ?? DateTime.UtcNow).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)} by `lever dossier` from .lever/registry.db and .lever/audit.jsonl");

        // 1. General description
        var purpose = config.Root.Field("purpose")?.Value;
        var task = config.SectionNode("workload")?.Field("task") ?? config.SectionNode("workload")?.Field("workload")?.Field("task");
        var s1 = d.Section("1. General description of the AI system (Annex IV point 1)")
            .Row("Intended purpose (1(a))", purpose is null ? null : $"{purpose} (lever.yaml `purpose:`)")
            .Row("Task", task?.Field("kind")?.Value is { } kind ? $"{kind}{(task.Field("classes")?.Value is { } c ? $", {c} classes" : "")} (lever.yaml workload.task)" : null)
            .Row("Provider (1(a))", null)
            .Row("Version and relation to previous versions (1(a))",
                $"{version.Reference} of {all.Count} version(s) of {version.Name}: {string.Join(", ", all.Select(v => $"v{v.Version} ({v.Sha256[..12]}{(v.Aliases.Count > 0 ? ", " + string.Join("/", v.Aliases) : "")})"))}")
            .Row("Aliases held", version.Aliases.Count > 0 ? string.Join(", ", version.Aliases) : "none")
            .Row("Registered", $"{version.Created} by {version.CreatedBy}, from {version.Path}")
            .Row("Artifact files (1(c))", l["files"] is { } files ? $"{files} files, {Bytes(l["bytes"])} (content hash over their sorted (path, SHA-256) list)" : null)
            .Row("Software (1(c))", $"Lever {typeof(Dossier).Assembly.GetName().Version} on .NET {Environment.Version}")
            .Row("Hardware it runs on (1(e))", Str(l["compute"]?["machine"]) is { } m ? $"trained on {m}; deployment hardware {NotRecorded}" : null)
            .Row("Forms placed on the market, user interface, instructions for use (1(d), 1(g), 1(h))", null);
        _ = s1;

        // 2. Development
        var s2 = d.Section("2. Elements of the AI system and the process for its development (Annex IV point 2)")
            .Row("Lever of this version (2(b))", Str(lab?["lever"]) ?? (Str(l["method"]) is { } method ? $"fine-tuning ({method})" : null))
            .Row("The advisor's recommendation (2(b))", advice is null ? null
                : $"{Str(advice["primary"]) ?? "none"}{(Str(advice["recipe"]) is { } rr ? $" (recipe {rr})" : " (a lever the lab did not run)")}; this version {(lab?["recommended"]?.GetValue<bool>() == true ? "is" : "is not")} the recommended one")
            .Row("The advisor's reasons (2(b))", advice?["rationale"] is JsonArray reasons && reasons.Count > 0 ? string.Join(" ", reasons.Select(r => r is JsonObject o ? o["text"]?.ToString() : r?.ToString())) : null)
            .Row("Advisor's summary", Str(advice?["summary"]))
            .Row("Recipe", lab is null ? null : $"{lab["recipe"]}: {lab["description"]}")
            .Row("Base model / pre-trained components (2(a))", Link(l["base_model"]) ?? (LocalLab(lab) ? LabModel(lab) : lab is null ? null : $"none: {lab["description"]}"))
            .Row("Training method (2(a))", Str(l["method"]) ?? (lab is null ? null : $"{lab["recipe"]} ({lab["lever"]}): {lab["description"]}"))
            .Row("Hyperparameters (2(b))", l["hyperparameters"] is { } hp ? Compact(hp) : LocalLab(lab) && lab?["options"]?["llm"] is { } llm ? Compact(llm) : null)
            .Row("Seeds", l["seed"] is { } seed ? $"training seed {seed}" : lab?["options"] is { } o ? $"split seed {o["dataset"]?["seed"]}{(LocalLab(lab) ? $", model seed {o["llm"]?["seed"]}" : "")}" : null)
            .Row("Compute used (2(c))", l["compute"] is { } compute ? Compact(compute)
                : lab?["results"]?["train_seconds"] is { } ts ? $"{ts} s of training on CPU (the lab's measurement), {Compact(lab["results"]?["latency_ms_p50"])} ms median answer latency; cost model: {Compact(l["cost_model"])}" : null)
            .Row("Training outcome", training is null ? null : $"train loss {Num(training["train_loss"])}, validation loss {Num(training["val_loss"])} (start {Num(training["base_val_loss"])}), {training["steps"]} steps, {training["stop"]}")
            .Row("Human oversight measures (2(e))", null)
            .Row("Pre-determined changes (2(f))", null)
            .Row("Cybersecurity measures (2(h))", null);
        var data = s2;
        data.Row("Training data (2(d))", DatasetLine(registry, l["dataset"]) ?? LabData(lab, l["data"]));
        data.Row("Validation data (2(d), 2(g))", DatasetLine(registry, l["validation"]) ?? (l["validation_fraction"] is { } vf ? $"a seeded {vf} share of the training data" : LabSplits(l["data"])));
        data.Row("General text (forgetting meter)", DatasetLine(registry, l["general_text"]));
        data.Row("Data provenance, selection, labelling and cleaning (2(d))", lab?["options"]?["dataset"] is { } ds ? $"source {ds["source"]} ({ds["npm_package"]}); {Compact(ds)}" : null);
        data.Row("Data validation report (2(d))", null);

        // Validation and testing: every attached evaluation with its interval.
        var tests = d.Section("2(g). Validation and testing: evaluations attached to this version");
        if (evals.Count == 0) tests.Row("Evaluations", null);
        foreach (var e in evals)
        {
            var ci = e["ci"] is JsonArray a && a.Count == 2 ? $" (95% CI {Pct(a[0])}–{Pct(a[1])}, {e["ci_method"]})" : "";
            tests.Row($"{e["source"]} on {Path.GetFileName(e["set"]?.ToString() ?? "?")}", $"{e["metric"]} {Pct(e["score"])}{ci}; {e["items"]} items; run {e["run"]}; at {e["at"]}");
        }
        tests.Paragraphs.Add("Test logs: each run's per-item results are in its run folder (results.jsonl, summary.json); signatures of the responsible persons are not recorded.");

        // 3. Monitoring, functioning, control
        var limits = new List<string>();
        if (advice?["warnings"] is JsonArray warnings) limits.AddRange(warnings.Select(w => w is JsonObject o ? o["text"]?.ToString() ?? o.ToJsonString() : w!.ToString()));
        d.Section("3. Monitoring, functioning and control (Annex IV point 3)")
            .Row("Capabilities and degree of accuracy", evals.Count > 0 ? string.Join("; ", evals.Select(e => $"{e["metric"]} {Pct(e["score"])} on {Path.GetFileName(e["set"]?.ToString() ?? "?")}")) : null)
            .Row("Known limitations (the advisor's warnings)", limits.Count > 0 ? string.Join(" ", limits) : null)
            .Row("Forgetting (general-text loss)", training?["general_loss_before"] is JsonValue gb && training["general_loss_after"] is JsonValue ga
                ? $"{Num(gb)} → {Num(ga)} nats ({(ga.GetValue<double>() - gb.GetValue<double>()).ToString("+0.0000;-0.0000", CultureInfo.InvariantCulture)}); gate budget {Gate(config).MaxGeneralLossIncrease.ToString(CultureInfo.InvariantCulture)}"
                : version.Kind is ArtifactKind.Model or ArtifactKind.Adapter ? null : $"not applicable: a {ArtifactKinds.Name(version.Kind)}, no fine-tuned weights")
            .Row("Accuracy for specific persons or groups", null)
            .Row("Foreseeable unintended outcomes and risks", null)
            .Row("Input data specifications", Str(lab?["options"]?["dataset"]?["max_body_chars"]) is { } chars ? $"email bodies, at most {chars} characters each" : null);

        // 4. Metrics
        d.Section("4. Appropriateness of the performance metrics (Annex IV point 4)")
            .Row("Metrics used", evals.Count > 0 ? string.Join(", ", evals.SelectMany(e => (e["metrics"] as JsonObject)?.Select(kv => kv.Key) ?? []).Distinct().Order(StringComparer.Ordinal)) : null)
            .Row("Gate metric and tolerance", $"{Gate(config).Metric}, at most {Gate(config).TolerancePoints.ToString(CultureInfo.InvariantCulture)} points below the current holder ({(config.Has("gate") ? "lever.yaml gate:" : "defaults")})")
            .Row("Why these metrics fit the purpose", null);

        // 5. Risk management
        d.Section("5. Risk management system (Annex IV point 5, Article 9)").Row("Risk management system", null);

        // 6. Changes
        var changes = d.Section("6. Changes through the lifecycle (Annex IV point 6): the audit trail of this name");
        foreach (var e in history)
        {
            var what = e["event"]?.ToString() switch
            {
                "register" => $"registered v{e["version"]} ({e["kind"]}, {Str(e["sha256"])?[..12]})",
                "promote" => $"v{e["version"]} promoted to @{e["alias"]}{(e["previous"] is { } p ? $" (was v{p})" : "")}{GateLine(e["gate"])}",
                "promote_refused" => $"v{e["version"]} refused for @{e["alias"]}{GateLine(e["gate"])}",
                "rollback" => $"@{e["alias"]} rolled back from v{e["from"]} to v{e["to"]}",
                "eval" => $"evaluation attached to v{e["version"]}: {e["eval"]?["metric"]} {Pct(e["eval"]?["score"])}",
                "training_run" => $"training run ({e["method"]}, {e["steps"]} steps, {e["seconds"]} s) → v{e["version"]}",
                "drift_check" => $"drift check on v{e["version"]}: {e["verdict"]}",
                var other => other ?? "?",
            };
            changes.Items.Add($"line {e["seq"]}, {e["at"]}, {e["who"]}: {what}");
        }
        if (history.Count == 0) changes.Row("Changes", null);

        // 7, 8
        d.Section("7. Harmonised standards applied (Annex IV point 7)").Row("Standards", null);
        d.Section("8. EU declaration of conformity (Annex IV point 8, Article 47)").Row("Declaration", null);

        // 9. Post-market monitoring
        var drift = config.Section<DriftOptions>("drift") ?? new DriftOptions();
        var checks = history.Where(e => e["event"]?.ToString() == "drift_check").ToList();
        d.Section("9. Post-market monitoring plan (Annex IV point 9, Article 72)")
            .Row("Drift checks configured", $"`lever drift {version.Name}@ALIAS --set GATE.jsonl --inputs RECENT.jsonl` (exit 3 when drifted; suitable for cron): PSI > {drift.PsiThreshold.ToString(CultureInfo.InvariantCulture)} on labels and lengths, centroid distance above the {drift.CentroidPercentile.ToString(CultureInfo.InvariantCulture)}th percentile of {drift.Bootstraps} split-half bootstraps, quality more than {drift.TolerancePoints.ToString(CultureInfo.InvariantCulture)} points below the registered score ({(config.Has("drift") ? "lever.yaml drift:" : "defaults")})")
            .Row("Drift checks run", checks.Count > 0 ? string.Join("; ", checks.Select(c => $"{c["at"]}: {c["verdict"]}")) : "none yet")
            .Row("Schedule and responsible person", null);

        // Article 12
        var art12 = d.Section("Record-keeping (Article 12): what Lever logs");
        art12.Paragraphs.Add("`.lever/audit.jsonl` records every registry change automatically, one hash-chained line each (seq, prev = SHA-256 of the previous line, at = UTC time, who = OS user, event and its fields); registry.db holds the chain head and line count, and `lever audit verify` checks both.");
        art12.Items.Add("Art. 12(2)(a) substantial modifications: registrations with content hashes and lineage, promotions with their gate numbers, refused promotions, rollbacks, training runs — recorded.");
        art12.Items.Add("Art. 12(2)(b) post-market monitoring: attached evaluations and drift checks with their numbers — recorded.");
        art12.Items.Add("Art. 12(2)(c) monitoring of operation: model versions in use (aliases) — recorded; per-request events of the deployed system (server request log) — not recorded by this version of Lever.");
        art12.Items.Add("Art. 12(3) (remote biometric identification only): period of each use, reference database, matched inputs, persons verifying results — not recorded.");

        var human = d.Section("What a human must still add");
        foreach (var (title, field) in d._sections.SelectMany(s => s.Rows.Where(r => r.Value == NotRecorded).Select(r => (s.Title, r.Field))))
            human.Items.Add(field.StartsWith("Intended purpose", StringComparison.Ordinal) ? $"{field} — write it as `purpose:` in lever.yaml and the dossier picks it up" : $"{field} — under \"{title}\"");
        human.Paragraphs.Add("Lever fills only what it measured or recorded. The provider's identity, the risk management system, human oversight, harmonised standards, the declaration of conformity and signatures are the provider's to write.");
        return d;
    }

    /// <summary>The dossier as Markdown.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(Title).Append("\n\n").Append(Subtitle).Append("\n\n");
        sb.Append("Organised after Annex IV of Regulation (EU) 2024/1689 (the AI Act). Every field is filled from recorded data or says \"")
            .Append(NotRecorded).Append("\"; ").Append(NotRecordedCount.ToString(CultureInfo.InvariantCulture)).Append(" fields are not recorded and are listed at the end.\n");
        foreach (var s in _sections)
        {
            sb.Append("\n## ").Append(s.Title).Append("\n\n");
            if (s.Rows.Count > 0)
            {
                sb.Append("| field | recorded |\n|---|---|\n");
                foreach (var (f, v) in s.Rows) sb.Append("| ").Append(Cell(f)).Append(" | ").Append(v == NotRecorded ? "*not recorded*" : Cell(v)).Append(" |\n");
                sb.Append('\n');
            }
            foreach (var i in s.Items) sb.Append("- ").Append(i.Replace("\n", " ", StringComparison.Ordinal)).Append('\n');
            if (s.Items.Count > 0) sb.Append('\n');
            foreach (var p in s.Paragraphs) sb.Append(p).Append("\n\n");
        }
        return sb.ToString().TrimEnd() + "\n";
    }

    /// <summary>The dossier as a standalone HTML page.</summary>
    public string ToHtml()
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(Title)).Append("</title>\n")
            .Append("<style>body{font:14px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%}td{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top}td:first-child{width:30%;font-weight:600}.nr{color:#a40;font-style:italic}</style></head><body>\n");
        sb.Append("<h1>").Append(E(Title)).Append("</h1>\n<p>").Append(E(Subtitle)).Append("</p>\n");
        sb.Append("<p>Organised after Annex IV of Regulation (EU) 2024/1689 (the AI Act). ").Append(NotRecordedCount.ToString(CultureInfo.InvariantCulture)).Append(" fields are not recorded and are listed at the end.</p>\n");
        foreach (var s in _sections)
        {
            sb.Append("<h2>").Append(E(s.Title)).Append("</h2>\n");
            if (s.Rows.Count > 0)
            {
                sb.Append("<table>\n");
                foreach (var (f, v) in s.Rows)
                    sb.Append("<tr><td>").Append(E(f)).Append("</td><td").Append(v == NotRecorded ? " class=\"nr\"" : "").Append('>').Append(E(v)).Append("</td></tr>\n");
                sb.Append("</table>\n");
            }
            if (s.Items.Count > 0) sb.Append("<ul>").Append(string.Concat(s.Items.Select(i => $"<li>{E(i)}</li>"))).Append("</ul>\n");
            foreach (var p in s.Paragraphs) sb.Append("<p>").Append(E(p)).Append("</p>\n");
        }
        return sb.Append("</body></html>\n").ToString();
    }

    private DossierSection Section(string title)
    {
        var s = new DossierSection(title);
        _sections.Add(s);
        return s;
    }

    private static GateOptions Gate(LeverConfig config) => config.Section<GateOptions>("gate") ?? new GateOptions();

    private static string? Str(JsonNode? n) => n is null ? null : n is JsonValue v && v.TryGetValue<string>(out var s) ? s : n.ToJsonString();

    private static string Num(JsonNode? n) => n is JsonValue v && v.TryGetValue<double>(out var d) ? d.ToString("0.####", CultureInfo.InvariantCulture) : NotRecorded;

    private static string Pct(JsonNode? n) => n is JsonValue v && v.TryGetValue<double>(out var d) ? (d * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%" : NotRecorded;

    private static string Bytes(JsonNode? n) => n is JsonValue v && v.TryGetValue<long>(out var b) ? b < 1 << 20 ? $"{b:N0} bytes" : $"{b / 1048576.0:0.0} MiB" : "?";

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string? Compact(JsonNode? n) => n?.ToJsonString(Relaxed);

    private static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string? Link(JsonNode? n) => n?["reference"] is { } r ? $"{r} (sha256 {Str(n["sha256"])}, {n["path"]})" : n?["path"] is { } p ? $"{p} (not registered)" : null;

    private static bool LocalLab(JsonObject? lab) => lab?["recipe"]?.ToString() is { } r && r.StartsWith("local-", StringComparison.Ordinal);

    private static string? LabModel(JsonObject? lab) =>
        lab?["options"]?["llm"] is { } llm ? $"the lab's own model, pre-trained from scratch: preset {llm["preset"]}, vocabulary {llm["vocab"]}, {llm["pretrain_steps"]} pre-training steps" : null;

    private static string? DatasetLine(ArtifactRegistry registry, JsonNode? n)
    {
        if (n?["reference"]?.ToString() is not { } reference) return n?["path"] is { } p ? $"{p} (not registered)" : null;
        ArtifactVersion v;
        try
        {
            v = registry.Resolve(ArtifactReference.Parse(reference));
        }
        catch (LeverUserException)
        {
            return $"{reference} (no longer in the registry)";
        }
        return $"{reference}: {v.Path}, sha256 {v.Sha256}, {Bytes(v.Lineage["bytes"])}";
    }

    private static string? LabData(JsonObject? lab, JsonNode? data)
    {
        if (lab?["options"]?["dataset"] is not { } ds) return null;
        return $"{ds["source"]}: training groups {Compact(ds["train_groups"])}, test groups {Compact(ds["test_groups"])}; {LabSplits(data)}";
    }

    private static string? LabSplits(JsonNode? data) =>
        data?["splits"] is JsonObject splits ? "splits " + string.Join(", ", splits.Select(kv => $"{kv.Key} {Compact(kv.Value)}")) : null;

    private static string GateLine(JsonNode? gate)
    {
        if (gate is null) return " (no gate)";
        var reasons = gate["reasons"] is JsonArray r ? string.Join("; ", r.Select(x => x?.ToString())) : "";
        return $" — gate on {Path.GetFileName(gate["set"]?.ToString() ?? "?")}: {gate["decision"]}; {reasons}";
    }
}
