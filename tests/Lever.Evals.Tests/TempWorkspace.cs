namespace Lever.Evals.Tests;

/// <summary>A throw-away workspace folder under the system temp folder.</summary>
internal sealed class TempWorkspace : IDisposable
{
    public TempWorkspace() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "lever-evals-" + Guid.NewGuid().ToString("N")[..10]);

    public string Write(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, true);
        }
        catch (IOException)
        {
        }
    }
}
