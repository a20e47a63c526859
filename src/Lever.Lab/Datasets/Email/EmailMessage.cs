namespace Lever.Lab.Datasets.Email;

/// <summary>The parts of an email a classifier reads: decoded subject and sender, and the body as plain text.</summary>
/// <param name="Subject">The Subject header with RFC 2047 encoded words decoded ("" when absent).</param>
/// <param name="From">The From header, decoded ("" when absent).</param>
/// <param name="Body">Every readable text part (text/plain, or text/html turned into text), decoded from its transfer encoding and charset.</param>
public sealed record EmailMessage(string Subject, string From, string Body)
{
    /// <summary>The single string a model sees: subject, sender, then the body.</summary>
    public string ToModelText(int maxBodyChars)
    {
        var body = Body.Length > maxBodyChars ? Body[..maxBodyChars] : Body;
        return $"Subject: {Subject}\nFrom: {From}\n\n{body}";
    }
}
