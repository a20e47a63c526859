namespace Lever.Lab.Tests;

/// <summary>The rule the hosted recipes' fake provider classifies with, so a test can derive the expected accuracy.</summary>
internal static class PlantedSpamRule
{
    /// <summary>
    /// "Spam." when the email mentions money anywhere, else a reply that names no label when its subject mentions
    /// lunch (the lab must count it wrong), else "ham".
    /// </summary>
    public static string Answer(string email)
    {
        static string[] Words(string text) => text.ToLowerInvariant().Split([' ', '\n', '\t', '.', ',', '<', '>'], StringSplitOptions.RemoveEmptyEntries);
        if (Words(email).Contains("money")) return "Spam.";
        var subject = email.Split('\n').FirstOrDefault(l => l.StartsWith("Subject:", StringComparison.Ordinal)) ?? "";
        if (Words(subject).Contains("lunch")) return "I cannot tell from this email.";
        return "ham";
    }
}
