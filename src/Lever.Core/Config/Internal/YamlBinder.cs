using System.Collections;
using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Lever.Core.Config.Internal;

/// <summary>
/// Binds a <see cref="YamlNode"/> to a C# type: classes with settable or init properties, records through their
/// constructor, enums by snake_case name, lists, string-keyed dictionaries, nullable numbers, and
/// <see cref="YamlNode"/> itself for a part the caller reads on its own. Strict where a typo could hide
/// (field names), forgiving where the meaning is clear (enum case, <c>on-prem</c>, <c>1_500</c>, <c>2e6</c>).
/// </summary>
internal static class YamlBinder
{
    private static readonly ConcurrentDictionary<Type, TypePlan> Plans = new();

    public static object? Bind(YamlNode node, Type type)
    {
        if (type == typeof(YamlNode)) return node;
        if (node.IsNull)
        {
            if (!type.IsValueType || Nullable.GetUnderlyingType(type) is not null) return null;
            throw Expected(node, type);
        }
        return BindValue(node, Nullable.GetUnderlyingType(type) ?? type);
    }

    /// <summary>snake_case of a C# name, as YamlDotNet's underscored convention wrote it: <c>LatencyP95Ms</c> → <c>latency_p95_ms</c>.</summary>
    public static string Snake(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }

    private static object BindValue(YamlNode node, Type type)
    {
        if (type == typeof(YamlNode)) return node;
        if (IsScalar(type)) return BindScalar(node, type);
        if (type.IsArray) return BindList(node, type.GetElementType()!, array: true);
        if (DictionaryValueType(type) is { } valueType) return BindDictionary(node, valueType);
        if (ListElementType(type) is { } elementType) return BindList(node, elementType, array: false);
        if (type.IsClass && type != typeof(object)) return BindObject(node, type);
        throw new InvalidOperationException($"{type} cannot be bound from YAML");
    }

    // A value inside a list or dictionary: null is refused unless the type allows it; an object takes its defaults.
    private static object? BindElement(YamlNode node, Type type)
    {
        if (!node.IsNull) return Bind(node, type);
        if (Nullable.GetUnderlyingType(type) is not null || type == typeof(YamlNode)) return type == typeof(YamlNode) ? node : null;
        if (type.IsClass && !IsScalar(type) && DictionaryValueType(type) is null && ListElementType(type) is null) return BindObject(node, type);
        throw Expected(node, type);
    }

    private static object BindScalar(YamlNode node, Type type)
    {
        if (!node.IsScalar) throw Expected(node, type);
        var text = node.Value!;
        if (type == typeof(string)) return text;
        if (type == typeof(bool))
        {
            if (bool.TryParse(text, out var b)) return b;
            throw Expected(node, type);
        }
        if (type.IsEnum)
        {
            var wanted = text.Trim().Replace('-', '_');
            foreach (var name in Enum.GetNames(type))
            {
                if (string.Equals(Snake(name), wanted, StringComparison.OrdinalIgnoreCase)) return Enum.Parse(type, name);
            }
            throw Expected(node, type);
        }
        var digits = text.Replace("_", "", StringComparison.Ordinal).Trim();
        if (type == typeof(double) || type == typeof(float))
        {
            if (!double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d)) throw Expected(node, type);
            if (type == typeof(float)) return (float)d;
            return d;
        }
        if (type == typeof(decimal))
        {
            if (decimal.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var m)) return m;
            throw Expected(node, type);
        }
        // Whole numbers: an integer literal, or a float literal with no fractional part (2e6 is a whole number too).
        decimal whole;
        if (long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) whole = l;
        else if (double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f == Math.Floor(f) && Math.Abs(f) < 9e18) whole = (decimal)f;
        else throw Expected(node, type);
        try
        {
            return Convert.ChangeType(whole, type, CultureInfo.InvariantCulture);
        }
        catch (OverflowException)
        {
            var min = type.GetField("MinValue")!.GetValue(null);
            var max = type.GetField("MaxValue")!.GetValue(null);
            throw node.Error($"{text} is out of range ({min} to {max})", "use a smaller number");
        }
    }

    private static object BindList(YamlNode node, Type elementType, bool array)
    {
        // A single scalar where a list of scalars is expected reads as a list of one (`symptoms: too_slow`).
        IReadOnlyList<YamlNode> items = node.IsScalar && IsScalar(Nullable.GetUnderlyingType(elementType) ?? elementType) ? [node]
            : node.IsList ? node.Items
            : throw Expected(node, array ? elementType.MakeArrayType() : typeof(List<>).MakeGenericType(elementType));
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
        foreach (var item in items) list.Add(BindElement(item, elementType));
        if (!array) return list;
        var result = Array.CreateInstance(elementType, list.Count);
        list.CopyTo(result, 0);
        return result;
    }

    private static object BindDictionary(YamlNode node, Type valueType)
    {
        if (!node.IsMapping) throw YamlMessages.NotAMapping(node);
        var dict = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType), StringComparer.Ordinal)!;
        foreach (var entry in node.Values) dict[entry.Key!] = BindElement(entry, valueType);
        return dict;
    }

    private static object BindObject(YamlNode node, Type type)
    {
        var plan = Plans.GetOrAdd(type, TypePlan.For);
        // A null node here is `key:` for an object inside a list or dictionary: all defaults.
        if (!node.IsMapping && !node.IsNull) throw YamlMessages.NotAMapping(node);
        var args = plan.Parameters.Select(p => p.Default).ToArray();
        var given = new HashSet<string>(StringComparer.Ordinal);
        var assignments = new List<(Member Member, object? Value)>();
        foreach (var entry in node.Values)
        {
            var name = entry.Key!;
            if (!plan.Members.TryGetValue(name, out var member)) throw entry.UnknownError(plan.Names);
            object? value;
            if (entry.IsNull)
            {
                if (!member.Nullable) continue; // `key:` keeps the default; the required check below still applies
                value = null;
            }
            else
            {
                value = Bind(entry, member.Type);
                CheckRange(entry, member, value);
            }
            given.Add(name);
            if (member.Parameter >= 0) args[member.Parameter] = value;
            else assignments.Add((member, value));
        }
        foreach (var member in plan.Members.Values)
        {
            if (member.Required && !given.Contains(member.Name))
            {
                var type2 = Nullable.GetUnderlyingType(member.Type) ?? member.Type;
                var choices = type2.IsEnum ? $": one of {EnumNames(type2)}" : "";
                throw node.ErrorAt(member.Name, $"is required{choices}", $"add {member.Name}: under {(node.Path.Length == 0 ? "the top level" : node.Path)}");
            }
        }
        var instance = plan.Constructor.Invoke(args);
        foreach (var (member, value) in assignments) member.Property!.SetValue(instance, value);
        return instance;
    }

    private static void CheckRange(YamlNode node, Member member, object? value)
    {
        if (member.Range is not { } range || value is null) return;
        var v = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        var min = Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture);
        var max = Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture);
        var below = range.MinimumIsExclusive ? v <= min : v < min;
        var above = range.MaximumIsExclusive ? v >= max : v > max;
        if (!below && !above) return;
        static string Show(double d) => d.ToString(CultureInfo.InvariantCulture);
        var what = max >= int.MaxValue
            ? $"must be {(range.MinimumIsExclusive ? "above" : "at least")} {Show(min)}, got {node.Value}"
            : $"must be between {Show(min)} and {Show(max)}, got {node.Value}";
        throw node.Error(what, "use a value in that range");
    }

    private static LeverUserException Expected(YamlNode node, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsClass && !IsScalar(type) && ListElementType(type) is null && !type.IsArray) return YamlMessages.NotAMapping(node);
        var hint = type.IsEnum ? $"use one of {EnumNames(type)}" : type == typeof(bool) ? "use true or false" : YamlMessages.FixValue;
        return node.Error($"expected {Describe(type)}, got {YamlMessages.Got(node)}", hint);
    }

    private static string Describe(Type type) =>
        type == typeof(string) ? "a text value"
        : type == typeof(bool) ? "true or false"
        : type.IsEnum ? $"one of {EnumNames(type)}"
        : type == typeof(double) || type == typeof(float) || type == typeof(decimal) ? "a number"
        : IsScalar(type) ? "a whole number"
        : type.IsArray || ListElementType(type) is not null ? "a list"
        : "a mapping of fields";

    private static string EnumNames(Type type) => string.Join(" | ", Enum.GetNames(type).Select(Snake));

    private static bool IsScalar(Type type) => type == typeof(string) || type.IsPrimitive || type.IsEnum || type == typeof(decimal);

    private static Type? DictionaryValueType(Type type)
    {
        if (!type.IsGenericType) return null;
        var def = type.GetGenericTypeDefinition();
        var args = type.GetGenericArguments();
        var isDictionary = def == typeof(Dictionary<,>) || def == typeof(IDictionary<,>) || def == typeof(IReadOnlyDictionary<,>);
        if (!isDictionary) return null;
        return args[0] == typeof(string) ? args[1] : throw new InvalidOperationException($"{type}: only string keys can be bound from YAML");
    }

    private static Type? ListElementType(Type type)
    {
        if (!type.IsGenericType) return null;
        var def = type.GetGenericTypeDefinition();
        return def == typeof(List<>) || def == typeof(IList<>) || def == typeof(IReadOnlyList<>) || def == typeof(ICollection<>)
            || def == typeof(IReadOnlyCollection<>) || def == typeof(IEnumerable<>)
            ? type.GetGenericArguments()[0]
            : null;
    }

    /// <summary>A bindable property or constructor parameter under its YAML name.</summary>
    private sealed record Member(string Name, Type Type, bool Nullable, bool Required, RangeAttribute? Range, PropertyInfo? Property, int Parameter);

    /// <summary>How one type is built: its constructor (a record's, or the parameterless one) and its members by YAML name.</summary>
    private sealed record TypePlan(ConstructorInfo Constructor, IReadOnlyList<(ParameterInfo Info, object? Default)> Parameters, IReadOnlyDictionary<string, Member> Members)
    {
        public IReadOnlyList<string> Names { get; } = Members.Keys.ToArray();

        public static TypePlan For(Type type)
        {
            var constructors = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance);
            var ctor = constructors.FirstOrDefault(c => c.GetParameters().Length == 0)
                ?? constructors.OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
                ?? throw new InvalidOperationException($"{type} has no public constructor to bind YAML with");
            var nullability = new NullabilityInfoContext();
            var members = new Dictionary<string, Member>(StringComparer.Ordinal);
            var parameters = ctor.GetParameters();
            var byProperty = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < parameters.Length; i++)
            {
                var p = parameters[i];
                var property = type.GetProperty(p.Name!, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                var name = p.GetCustomAttribute<YamlNameAttribute>()?.Name ?? property?.GetCustomAttribute<YamlNameAttribute>()?.Name ?? Snake(Pascal(p.Name!));
                var nullable = System.Nullable.GetUnderlyingType(p.ParameterType) is not null || nullability.Create(p).WriteState == NullabilityState.Nullable;
                members[name] = new Member(name, p.ParameterType, nullable, !p.HasDefaultValue && !nullable,
                    property?.GetCustomAttribute<RangeAttribute>() ?? p.GetCustomAttribute<RangeAttribute>(), null, i);
                byProperty[p.Name!] = i;
            }
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (byProperty.ContainsKey(property.Name) || property.GetIndexParameters().Length > 0 || property.SetMethod is not { IsPublic: true }) continue;
                var name = property.GetCustomAttribute<YamlNameAttribute>()?.Name ?? Snake(property.Name);
                var nullable = System.Nullable.GetUnderlyingType(property.PropertyType) is not null || nullability.Create(property).WriteState == NullabilityState.Nullable;
                var required = property.IsDefined(typeof(RequiredMemberAttribute)) || property.IsDefined(typeof(RequiredAttribute));
                members[name] = new Member(name, property.PropertyType, nullable, required, property.GetCustomAttribute<RangeAttribute>(), property, -1);
            }
            var defaults = parameters.Select(p => (p, p.HasDefaultValue ? p.DefaultValue : p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null)).ToArray();
            return new TypePlan(ctor, defaults, members);
        }

        private static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name[1..];
    }
}
