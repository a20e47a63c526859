namespace Lever.Registry.Internal;

/// <summary>One Annex IV heading of the dossier: field/value rows, then free paragraphs and list items.</summary>
internal sealed class DossierSection(string title)
{
    public string Title { get; } = title;

    public List<(string Field, string Value)> Rows { get; } = [];

    public List<string> Paragraphs { get; } = [];

    public List<string> Items { get; } = [];

    public DossierSection Row(string field, string? value)
    {
        Rows.Add((field, string.IsNullOrWhiteSpace(value) ? Dossier.NotRecorded : value));
        return this;
    }
}
