using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Lever.Server.Tests;

/// <summary>Raw OpenAI-protocol calls for the server's tests: a POST or GET with a bearer key, the status and the parsed body.</summary>
internal static class ServerTestHttp
{
    public static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> Send(HttpMethod method, string url, string? key, string? json = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length > 0 && text.TrimStart().StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return ((int)response.StatusCode, body, response);
    }

    public static async Task<string> Raw(string url, string? key, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await Http.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    public static Task<(int Status, JsonElement Body, HttpResponseMessage Response)> Chat(string baseUrl, string? key, string json) =>
        Send(HttpMethod.Post, baseUrl + "/chat/completions", key, json);

    public static string Error(JsonElement body, string field) => body.GetProperty("error").GetProperty(field).GetString() ?? "";
}
