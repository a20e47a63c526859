using System.CommandLine;
using Lever.Core;
using Lever.Registry;

namespace Lever.Cli.Commands;

/// <summary><c>lever audit verify</c>: checks the hash chain of .lever/audit.jsonl against registry.db.</summary>
internal sealed class AuditCommand : ILeverCommand
{
    public Command Create()
    {
        var command = new Command("audit", "The tamper-evident audit trail of registry changes (.lever/audit.jsonl).");
        var ws = RegistryCommand.WorkspaceOption();
        var verify = new Command("verify", "Check every line's hash chain, the head hash and line count registry.db holds, and that a replay equals the registry. Exit 0 intact, 2 naming the first broken line.") { ws };
        verify.SetAction(parse =>
        {
            var workspace = Workspace.Open(parse.GetValue(ws));
            var result = AuditLog.Verify(workspace);
            var path = AuditLog.PathOf(workspace);
            if (result.Intact)
            {
                Console.WriteLine($"{path}: intact, {result.Lines} line(s), head matches registry.db");
                return 0;
            }
            throw new LeverUserException($"{path}:{result.BrokenLine}: {result.Problem}",
                "the audit trail was changed outside Lever; restore audit.jsonl from a backup (lines before the broken one are intact)");
        });
        command.Subcommands.Add(verify);
        return command;
    }
}
