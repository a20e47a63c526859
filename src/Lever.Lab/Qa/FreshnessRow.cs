namespace Lever.Lab.Qa;

/// <summary>One freshness edit's outcome for one recipe: the answer before the edit, after the edit but before sync, and after sync.</summary>
/// <param name="Question">Question id.</param>
/// <param name="Page">The edited page.</param>
/// <param name="Recipe">The recipe that answered.</param>
/// <param name="ExpectedBefore">The question's expected answer on the unedited documents.</param>
/// <param name="ExpectedAfter">The expected answer once the edit is indexed.</param>
/// <param name="Before">Answer on the unedited documents.</param>
/// <param name="Unsynced">Answer after the files changed, before <c>index sync</c>.</param>
/// <param name="After">Answer after <c>index sync</c>.</param>
/// <param name="BeforeOk">Before contains ExpectedBefore.</param>
/// <param name="UnsyncedOld">Unsynced still contains ExpectedBefore (the index serves what it indexed).</param>
/// <param name="AfterOk">After contains ExpectedAfter.</param>
public sealed record FreshnessRow(string Question, string Page, string Recipe, string ExpectedBefore, string ExpectedAfter,
    string Before, string Unsynced, string After, bool BeforeOk, bool UnsyncedOld, bool AfterOk);
