namespace Lever.Core.Config;

/// <summary>
/// The YAML key of a property or constructor parameter when it is not the snake_case of its C# name
/// (<c>[YamlName("workload")] Traffic</c>); the binder reads and suggests this name instead.
/// </summary>
/// <param name="name">The key as written in the file.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class YamlNameAttribute(string name) : Attribute
{
    /// <summary>The key as written in the file.</summary>
    public string Name { get; } = name;
}
