using Lever.Core;

namespace Lever.Retrieval;

/// <summary>The names of <see cref="SearchMode"/> on command lines and in lever.yaml: <c>bm25</c>, <c>vector</c>, <c>hybrid</c> (and <c>auto</c>).</summary>
public static class SearchModes
{
    /// <summary>Every accepted name, for help texts.</summary>
    public const string Names = "bm25|vector|hybrid";

    /// <summary>
    /// The mode <paramref name="value"/> names (null or <c>auto</c>: <see cref="SearchMode.Auto"/>); anything else is a user
    /// error naming <paramref name="field"/>.
    /// </summary>
    public static SearchMode Parse(string? value, string field) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => SearchMode.Auto,
        "bm25" or "lexical" => SearchMode.Lexical,
        "vector" or "dense" => SearchMode.Vector,
        "hybrid" => SearchMode.Hybrid,
        _ => throw new LeverUserException($"{field}: '{value}' is not a search mode", $"use {Names} (default: hybrid when the index has vectors, else bm25)"),
    };

    /// <summary>The name of <paramref name="mode"/> as <see cref="Parse"/> reads it.</summary>
    public static string Name(SearchMode mode) => mode switch
    {
        SearchMode.Lexical => "bm25",
        SearchMode.Vector => "vector",
        SearchMode.Hybrid => "hybrid",
        _ => "auto",
    };
}
