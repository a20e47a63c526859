using System.CommandLine;
using Lever.Core;
using Lever.Registry;

namespace Lever.Cli.Commands;

/// <summary><c>lever dossier NAME@vN|NAME@ALIAS -o FILE.md|.html</c>: the technical documentation of one version, after the AI Act's Annex IV.</summary>
internal sealed class DossierCommand : ILeverCommand
{
    public Command Create()
    {
        var reference = new Argument<string>("reference") { Description = "NAME@vN or NAME@ALIAS" };
        var output = new Option<string>("--output", "-o") { Description = "FILE.md or FILE.html", Required = true };
        var ws = RegistryCommand.WorkspaceOption();
        var command = new Command("dossier", "Write the technical documentation of a registered version (EU AI Act Annex IV headings) from recorded data; unrecorded fields are marked.") { reference, output, ws };
        command.SetAction(parse =>
        {
            var workspace = Workspace.Open(parse.GetValue(ws));
            var file = Path.GetFullPath(parse.GetValue(output)!);
            var ext = Path.GetExtension(file).ToLowerInvariant();
            if (ext is not (".md" or ".html" or ".htm"))
                throw new LeverUserException($"-o {parse.GetValue(output)}: write .md or .html", "e.g. lever dossier bot@champion -o dossier.md");
            using var registry = ArtifactRegistry.Open(workspace);
            var version = registry.Resolve(ArtifactReference.Parse(parse.GetValue(reference)!));
            var dossier = Dossier.Build(registry, version);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, ext == ".md" ? dossier.ToMarkdown() : dossier.ToHtml());
            Console.WriteLine($"{file}: dossier of {version.Reference}, {dossier.NotRecordedCount} field(s) not recorded (listed under \"What a human must still add\")");
            return 0;
        });
        return command;
    }
}
