namespace Lever.Testing;

/// <summary>A temporary folder for one test (a workspace with its lever.yaml, a corpus, a model), deleted on dispose.</summary>
public sealed class TempWorkspace : IDisposable
{
    /// <summary>Creates an empty folder under the system temp directory; <paramref name="prefix"/> names it for a human reading /tmp.</summary>
    public TempWorkspace(string prefix = "lever-test-") => Root = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>The folder's full path.</summary>
    public string Root { get; }

    /// <summary>The full path of <paramref name="relative"/> inside the folder (nothing is created).</summary>
    public string Combine(string relative) => Path.Combine(Root, relative);

    /// <summary>Writes a file (creating its folders) and returns its full path.</summary>
    public string Write(string relative, string content)
    {
        var full = Combine(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    /// <summary>Writes the workspace's lever.yaml and returns its full path.</summary>
    public string WriteLeverYaml(string yaml) => Write("lever.yaml", yaml);

    /// <summary>Creates a sub-folder and returns its full path.</summary>
    public string Sub(string relative) => Directory.CreateDirectory(Combine(relative)).FullName;

    /// <summary>Deletes the folder; a file still held open (a child process that has not exited yet) leaves it behind.</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
