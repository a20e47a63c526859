namespace Lever.Server.Internal;

/// <summary>A request the server refuses with <paramref name="status"/> and an OpenAI-style error body.</summary>
internal sealed class ApiErrorException(int status, string message, string type, string? code, string? param = null) : Exception(message)
{
    public int Status { get; } = status;

    public string Type { get; } = type;

    public string? Code { get; } = code;

    public string? Param { get; } = param;

    public static ApiErrorException ModelNotFound(string model, IEnumerable<string> served) =>
        new(404, $"The model '{model}' does not exist on this server; it serves: {string.Join(", ", served)}.", "invalid_request_error", "model_not_found", "model");

    public static ApiErrorException MissingScope(ServerIdentity caller, ServerScope scope, string what) =>
        new(403, $"The key of identity '{caller.Id}' lacks the '{ServerIdentity.Name(scope)}' scope, which {what} needs.", "permission_error", "insufficient_scope");
}
