using System.Text.Json.Serialization;

namespace Lever.Server.Requests;

/// <summary>One message of a recorded request, in the OpenAI chat shape (<c>{"role","content"}</c>).</summary>
/// <param name="Role">system, user, assistant or tool.</param>
/// <param name="Content">Its text.</param>
public sealed record RecordedMessage([property: JsonPropertyName("role")] string Role, [property: JsonPropertyName("content")] string Content);
