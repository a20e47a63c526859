namespace Lever.Server.Internal;

/// <summary>A request the server refuses with 400 and an OpenAI-style error body.</summary>
internal sealed class BadRequestException(string message) : Exception(message);
