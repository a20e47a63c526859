using Lever.Advisor.Internal;
using Lever.Core;
using Lever.Core.Config;

namespace Lever.Advisor;

/// <summary>
/// Binds a workload from YAML: a standalone file (top-level <c>task:</c>) or the <c>workload:</c> section of
/// lever.yaml. Strict: unknown fields and wrong types are refused with file, line and the dotted field path.
/// </summary>
public static class WorkloadReader
{
    /// <summary>Reads and binds the workload file at <paramref name="path"/>.</summary>
    public static Workload Read(string path)
    {
        if (!File.Exists(path)) throw new LeverUserException($"{path}: workload file not found", "pass an existing file to --workload (see samples/workloads/)");
        return Parse(path, File.ReadAllText(path));
    }

    /// <summary>Binds YAML <paramref name="text"/>; <paramref name="file"/> names it in errors.</summary>
    public static Workload Parse(string file, string text)
    {
        const string Docs = "see docs/ADVISOR.md for the workload fields";
        var root = YamlNode.Parse(file, text, "field");
        if (root.IsNull) throw new LeverUserException($"{file}:1:1: the workload file is empty", Docs);
        if (!root.IsMapping) throw root.Error("the workload must be a mapping of fields (task:, knowledge:, …)", Docs);
        // lever.yaml: the workload is one section among providers:, prices:, policy:, … which others own.
        var section = !root.Has("task") && root.Has("workload") ? root.Field("workload")! : root;
        if (!section.IsMapping) throw section.Error("must be a mapping of fields (task:, knowledge:, …)", Docs);
        if (!section.Has("task"))
        {
            var prefix = section.Path.Length == 0 ? "" : section.Path + ".";
            throw section.ErrorAt("task", $"'{prefix}task.kind' is required (one of {string.Join(" | ", Names.All<TaskKind>())})", Docs);
        }
        var workload = section.Bind<Workload>()!;
        if (workload.Traffic.SharedPrefixTokens > workload.Traffic.InputTokens)
        {
            throw section.ErrorAt("workload.shared_prefix_tokens",
                $"is {workload.Traffic.SharedPrefixTokens:0} but input_tokens is {workload.Traffic.InputTokens:0}: the shared prefix is part of the input, so it cannot be longer", Docs);
        }
        return workload;
    }
}
