using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Runtime.CompilerServices;
using NanoBanana.Functions.Hosting;

namespace NanoBanana.Functions.Tests.Deployment;

/// <summary>
/// The settings the app reads, read off its options classes (every class with a <c>Section</c>
/// constant): names as environment variables spell them (Section__Property), and which ones are
/// [Required]. No list kept by hand: a new option is seen here the moment it exists.
/// </summary>
internal static class OptionsCatalog
{
    public static IReadOnlyList<(Type Type, string Section)> OptionsClasses { get; } = typeof(ServiceCollectionExtensions).Assembly.GetTypes()
        .Select(t => (Type: t, Field: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)))
        .Where(t => t.Field is { IsLiteral: true } && t.Field.FieldType == typeof(string))
        .Select(t => (t.Type, (string)t.Field!.GetRawConstantValue()!))
        .ToList();

    public static IEnumerable<string> RequiredSettings =>
        from options in OptionsClasses
        from property in Settable(options.Type)
        where property.GetCustomAttribute<RequiredAttribute>() is not null || property.GetCustomAttribute<RequiredMemberAttribute>() is not null
        select $"{options.Section}__{property.Name}";

    /// <summary>Whether a setting (e.g. Secrets__EncryptionKeys__k1) binds to a property of an options class.</summary>
    public static bool Binds(string setting)
    {
        var parts = setting.Split("__");
        var options = OptionsClasses.Where(o => o.Section == parts[0]).Select(o => o.Type).FirstOrDefault();
        var property = options is null || parts.Length < 2 ? null : Settable(options).FirstOrDefault(p => p.Name == parts[1]);
        return property is not null && (parts.Length == 2
            || (parts.Length == 3 && (property.PropertyType.IsArray || typeof(System.Collections.IDictionary).IsAssignableFrom(property.PropertyType))));
    }

    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true });
}
