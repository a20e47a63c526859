using Lever.Server.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Lever.Server;

/// <summary>
/// The authorization seam of the server's endpoints: <see cref="RequireScope{TBuilder}"/> marks an endpoint with the scope a
/// caller needs (403 naming it otherwise) and <see cref="Caller"/> is who is calling. Admin endpoints added later
/// (fine-tuning, adapter loading, registry changes) go through <see cref="OpenAiServer.MapAdmin"/>, which requires
/// <see cref="ServerScope.Admin"/>.
/// </summary>
public static class ServerEndpoints
{
    /// <summary>Callers of this endpoint need <paramref name="scope"/>; others get 403 with the scope named.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, ServerScope scope) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredScope(scope));

    /// <summary>The identity of the request's API key (set before any endpoint runs).</summary>
    public static ServerIdentity Caller(this HttpContext context) =>
        context.Items[RequiredScope.CallerKey] as ServerIdentity ?? throw new InvalidOperationException("no caller: the request did not pass the server's authentication");
}
