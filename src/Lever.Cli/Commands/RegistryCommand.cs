using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Registry;
using Spectre.Console;

namespace Lever.Cli.Commands;

/// <summary><c>lever registry register|list|show|lineage|promote|rollback</c>: versions, aliases and lineage in .lever/registry.db.</summary>
internal sealed class RegistryCommand : ILeverCommand
{
    public Command Create()
    {
        var command = new Command("registry", "Named, content-addressed versions of models, adapters, recipes, index snapshots and datasets; aliases (champion, …), gated promotion and rollback.");
        command.Subcommands.Add(Register());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Lineage());
        command.Subcommands.Add(Promote());
        command.Subcommands.Add(Rollback());
        return command;
    }

    internal static Option<string?> WorkspaceOption() => new("--workspace", "-w") { Description = "workspace folder (default: current directory)" };

    private static Command Register()
    {
        var name = new Argument<string>("name") { Description = "artifact name (letters, digits, . _ - :), e.g. support-bot" };
        var path = new Argument<string>("path") { Description = "the file or folder to register (a copy elsewhere with the same files is the same version)" };
        var kind = new Option<string?>("--kind") { Description = "model | adapter | recipe | index | dataset (default: guessed from the files)" };
        var json = new Option<bool>("--json") { Description = "print the version as JSON" };
        var ws = WorkspaceOption();
        var command = new Command("register", "Register a file or folder as the next version of NAME (or return the version that already has its content).") { name, path, kind, json, ws };
        command.SetAction(parse =>
        {
            var workspace = Workspace.Open(parse.GetValue(ws));
            var full = Path.GetFullPath(parse.GetValue(path)!, workspace.Root);
            var k = parse.GetValue(kind) is { } given ? ArtifactKinds.Parse(given) : File.Exists(full) || Directory.Exists(full) ? ArtifactKinds.Guess(full) : ArtifactKind.Dataset;
            using var registry = ArtifactRegistry.Open(workspace);
            var lineage = RegistryCli.LineageOf(workspace, registry, full, k);
            var (version, created) = registry.Register(parse.GetValue(name)!, full, k, lineage);
            if (parse.GetValue(json)) Console.WriteLine(RegistryCli.VersionJson(version).ToJsonString());
            else Console.WriteLine(created
                ? $"registered {version.Reference} ({ArtifactKinds.Name(version.Kind)}, sha256 {version.Sha256[..12]})"
                : $"{version.Reference} already has this content (sha256 {version.Sha256[..12]}); nothing registered");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var name = new Argument<string?>("name") { Description = "one artifact's versions (default: every name)", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "for one name {\"name\", \"versions\": [...]}; for all, an array of those" };
        var ws = WorkspaceOption();
        var command = new Command("list", "Registered names and versions, with their aliases.") { name, json, ws };
        command.SetAction(parse =>
        {
            using var registry = ArtifactRegistry.Open(Workspace.Open(parse.GetValue(ws)));
            var only = parse.GetValue(name);
            if (only is not null) ArtifactReference.CheckName(only);
            var versions = registry.List(only);
            if (only is not null && versions.Count == 0)
                throw new LeverUserException($"{only}: not registered", registry.Names() is { Count: > 0 } names ? $"registered names: {string.Join(", ", names)}" : "register one with `lever registry register NAME PATH`");
            var groups = versions.GroupBy(v => v.Name).Select(g => new JsonObject { ["name"] = g.Key, ["versions"] = new JsonArray([.. g.Select(v => (JsonNode)RegistryCli.VersionJson(v))]) }).ToList();
            if (parse.GetValue(json))
            {
                Console.WriteLine(only is not null ? groups[0].ToJsonString() : new JsonArray([.. groups]).ToJsonString());
                return 0;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("version", "kind", "sha256", "aliases", "created", "from");
            foreach (var v in versions)
                table.AddRow(Markup.Escape(v.Reference), ArtifactKinds.Name(v.Kind), v.Sha256[..12], Markup.Escape(string.Join(", ", v.Aliases)), v.Created[..19], Markup.Escape(RegistryCli.Origin(v)));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var reference = new Argument<string>("reference") { Description = "NAME@vN or NAME@ALIAS" };
        var json = new Option<bool>("--json") { Description = "print one JSON object (the version, its path and its evaluations)" };
        var ws = WorkspaceOption();
        var command = new Command("show", "One version: kind, content hash, path, aliases, lineage and attached evaluations.") { reference, json, ws };
        command.SetAction(parse =>
        {
            using var registry = ArtifactRegistry.Open(Workspace.Open(parse.GetValue(ws)));
            var v = registry.Resolve(ArtifactReference.Parse(parse.GetValue(reference)!));
            var doc = RegistryCli.VersionJson(v);
            doc["name"] = v.Name;
            doc["path"] = v.Path;
            doc["created_by"] = v.CreatedBy;
            doc["evals"] = new JsonArray([.. registry.Evals(v).Select(e => (JsonNode)e)]);
            if (parse.GetValue(json))
            {
                Console.WriteLine(doc.ToJsonString());
                return 0;
            }
            Console.WriteLine(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            return 0;
        });
        return command;
    }

    private static Command Lineage()
    {
        var reference = new Argument<string>("reference") { Description = "NAME@vN or NAME@ALIAS" };
        var ws = WorkspaceOption();
        var command = new Command("lineage", "Where a version came from (base model, datasets, recipe, run) and the evaluations that measured it.") { reference, ws };
        command.SetAction(parse =>
        {
            using var registry = ArtifactRegistry.Open(Workspace.Open(parse.GetValue(ws)));
            var v = registry.Resolve(ArtifactReference.Parse(parse.GetValue(reference)!));
            Console.WriteLine($"{v.Reference} ({ArtifactKinds.Name(v.Kind)}, sha256 {v.Sha256}) registered {v.Created} by {v.CreatedBy}");
            Console.WriteLine($"  path: {v.Path}");
            foreach (var (key, node) in v.Lineage)
            {
                if (node is JsonObject { } o && o["reference"] is { } r) Console.WriteLine($"  {key}: {r} ({o["path"]})");
                else if (key is not ("files" or "bytes")) Console.WriteLine($"  {key}: {node?.ToJsonString()}");
            }
            foreach (var e in registry.Evals(v))
                Console.WriteLine(FormattableString.Invariant($"  eval {e["source"]} {e["run"]}: {e["metric"]} {e["score"]} on {e["set"]} ({e["items"]} items)"));
            return 0;
        });
        return command;
    }

    private static Command Promote()
    {
        var reference = new Argument<string>("reference") { Description = "the candidate, NAME@vN" };
        var alias = new Option<string>("--alias") { Description = "the alias to move (MLflow's sense)", DefaultValueFactory = _ => "champion" };
        var gate = new Option<string?>("--gate") { Description = "eval set (JSONL): promote only if the candidate is not worse than the current holder beyond gate.tolerance_points, and its forgetting is within gate.max_general_loss_increase" };
        var recipe = new Option<string?>("--recipe", "-r") { Description = "for models and adapters: the recipe (prompt, parser, scoring) the gate evaluates them with (default: the model's plain answers, exact match)" };
        var ws = WorkspaceOption();
        var command = new Command("promote", "Point an alias at a version, optionally through an eval gate; the decision and its numbers are recorded. A refused gate exits 2.") { reference, alias, gate, recipe, ws };
        command.SetAction(async (parse, ct) =>
        {
            var workspace = Workspace.Open(parse.GetValue(ws));
            using var registry = ArtifactRegistry.Open(workspace);
            var r = ArtifactReference.Parse(parse.GetValue(reference)!);
            var candidate = registry.Resolve(r);
            var name = parse.GetValue(alias)!;
            ArtifactReference.CheckAlias(name);
            var holder = registry.Holder(candidate.Name, name);
            if (holder?.Version == candidate.Version)
            {
                Console.WriteLine($"{candidate.Reference} already holds {candidate.Name}@{name}");
                return 0;
            }
            JsonObject? decision = null;
            if (parse.GetValue(gate) is { } set)
            {
                decision = await RegistryGate.DecideAsync(workspace, registry, candidate, holder, set, parse.GetValue(recipe), ct).ConfigureAwait(false);
                foreach (var line in RegistryGate.Describe(decision)) Console.WriteLine(line);
                if (decision["decision"]!.GetValue<string>() != "promote")
                {
                    registry.RecordRefusal(candidate, name, decision);
                    throw new LeverUserException($"gate refused {candidate.Reference} for {candidate.Name}@{name}: {string.Join("; ", decision["reasons"]!.AsArray().Select(x => x!.GetValue<string>()))}",
                        $"{candidate.Name}@{name} stays on {(holder is null ? "no version" : holder.Reference)}; improve the candidate, or widen gate.tolerance_points / gate.max_general_loss_increase in lever.yaml");
                }
            }
            registry.Promote(candidate, name, decision);
            Console.WriteLine($"{candidate.Name}@{name} → v{candidate.Version.ToString(CultureInfo.InvariantCulture)}{(holder is null ? "" : $" (was v{holder.Version.ToString(CultureInfo.InvariantCulture)})")}");
            return 0;
        });
        return command;
    }

    private static Command Rollback()
    {
        var name = new Argument<string>("name") { Description = "artifact name" };
        var alias = new Option<string>("--alias") { Description = "the alias to move back", DefaultValueFactory = _ => "champion" };
        var ws = WorkspaceOption();
        var command = new Command("rollback", "Move an alias back to the version that held it before.") { name, alias, ws };
        command.SetAction(parse =>
        {
            using var registry = ArtifactRegistry.Open(Workspace.Open(parse.GetValue(ws)));
            var n = parse.GetValue(name)!;
            if (n.Contains('@')) throw new LeverUserException($"{n}: rollback takes a NAME, not a reference", $"e.g. lever registry rollback {n[..n.IndexOf('@')]} --alias {n[(n.IndexOf('@') + 1)..]}");
            ArtifactReference.CheckName(n);
            var a = parse.GetValue(alias)!;
            var (from, to) = registry.Rollback(n, a);
            Console.WriteLine($"{n}@{a} → v{to.ToString(CultureInfo.InvariantCulture)} (was v{from.ToString(CultureInfo.InvariantCulture)})");
            return 0;
        });
        return command;
    }
}
