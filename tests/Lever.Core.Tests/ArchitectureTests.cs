using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Lever.Core.Tests;

/// <summary>docs/ARCHITECTURE.md's project graph is the csproj references: an edge the document does not list fails.</summary>
public partial class ArchitectureTests
{
    [Fact]
    public void The_documented_project_graph_equals_the_csproj_references()
    {
        var repo = Repo();
        var actual = Directory.GetDirectories(Path.Combine(repo, "src"))
            .Select(d => Path.Combine(d, Path.GetFileName(d) + ".csproj"))
            .Where(File.Exists)
            .ToDictionary(p => Path.GetFileNameWithoutExtension(p), References, StringComparer.Ordinal);
        var documented = Documented(File.ReadAllText(Path.Combine(repo, "docs", "ARCHITECTURE.md")));

        Assert.Equal(actual.Keys.Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
        foreach (var (project, references) in actual)
            Assert.True(documented[project].SetEquals(references),
                $"{project}: csproj references [{string.Join(", ", references.Order())}], docs/ARCHITECTURE.md lists [{string.Join(", ", documented[project].Order())}]");
    }

    [Fact]
    public void The_server_references_no_engine_training_retrieval_advisor_lab_or_evals()
    {
        var server = References(Path.Combine(Repo(), "src", "Lever.Server", "Lever.Server.csproj"));
        Assert.Equal(["Lever.Core", "Lever.Providers"], server.Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(Repo(), "src", "Lever.Hosting")), "Lever.Hosting was replaced by Lever.Providers");
    }

    [Fact]
    public void The_readme_layout_table_names_every_project()
    {
        var repo = Repo();
        var readme = File.ReadAllText(Path.Combine(repo, "README.md"));
        foreach (var dir in Directory.GetDirectories(Path.Combine(repo, "src")).Where(d => File.Exists(Path.Combine(d, Path.GetFileName(d) + ".csproj"))))
            Assert.Contains($"| `src/{Path.GetFileName(dir)}` |", readme, StringComparison.Ordinal);
    }

    private static HashSet<string> References(string csproj) =>
        XDocument.Load(csproj).Descendants("ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToHashSet(StringComparer.Ordinal);

    private static Dictionary<string, HashSet<string>> Documented(string markdown)
    {
        var begin = markdown.IndexOf("<!-- graph:begin -->", StringComparison.Ordinal);
        var end = markdown.IndexOf("<!-- graph:end -->", StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "docs/ARCHITECTURE.md has no <!-- graph:begin --> … <!-- graph:end --> table");
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (Match m in Row().Matches(markdown[begin..end]))
        {
            var refs = m.Groups[2].Value.Trim();
            graph[m.Groups[1].Value] = refs is "—" or "-" or "" ? [] : refs.Split(',', StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        }
        return graph;
    }

    private static string Repo()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Lever.slnx"))) dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("Lever.slnx not found above the test binaries");
        return dir;
    }

    [GeneratedRegex(@"^\| (Lever\.[A-Za-z.]+) \| ([^|]*) \|", RegexOptions.Multiline)]
    private static partial Regex Row();
}
