using Mono.Cecil;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// Which top-level folder (namespace under the root) of an assembly uses which: read from the compiled IL with
/// Mono.Cecil (NetArchTest's own reader), so signatures, attributes, generic arguments and method bodies (async state
/// machines and lambdas included) all count, and a fully qualified name cannot hide a dependency.
/// </summary>
internal sealed class FolderGraph
{
    private readonly Dictionary<string, HashSet<string>> _uses = new(StringComparer.Ordinal);

    private FolderGraph(string root) => Root = root;

    public string Root { get; }

    public IReadOnlyDictionary<string, HashSet<string>> Uses => _uses;

    public static FolderGraph Of(string assemblyPath, string root)
    {
        var graph = new FolderGraph(root);
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        foreach (var type in assembly.MainModule.GetTypes())
        {
            if (graph.FolderOf(type) is not { } from)
            {
                continue;
            }

            graph._uses.TryAdd(from, []);
            foreach (var used in Referenced(type))
            {
                if (graph.FolderOf(used) is { } to && to != from)
                {
                    graph._uses[from].Add(to);
                }
            }
        }

        return graph;
    }

    /// <summary>The strongly connected components with more than one folder: each is a cycle of folders (Tarjan).</summary>
    public List<List<string>> Cycles()
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var cycles = new List<List<string>>();
        var next = 0;

        void Visit(string folder)
        {
            index[folder] = low[folder] = next++;
            stack.Push(folder);
            onStack.Add(folder);
            foreach (var used in _uses.GetValueOrDefault(folder, []))
            {
                if (!index.ContainsKey(used))
                {
                    Visit(used);
                    low[folder] = Math.Min(low[folder], low[used]);
                }
                else if (onStack.Contains(used))
                {
                    low[folder] = Math.Min(low[folder], index[used]);
                }
            }

            if (low[folder] == index[folder])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != folder);

                if (component.Count > 1)
                {
                    cycles.Add([.. component.Order(StringComparer.Ordinal)]);
                }
            }
        }

        foreach (var folder in _uses.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(folder))
            {
                Visit(folder);
            }
        }

        return cycles;
    }

    // "Root.Data.X" -> "Data"; a nested type counts as its outer type's; types outside the root are not ours.
    private string? FolderOf(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        var ns = type.Namespace;
        if (!ns.StartsWith(Root + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns[(Root.Length + 1)..];
        var dot = rest.IndexOf('.');
        return dot < 0 ? rest : rest[..dot];
    }

    private static List<TypeReference> Referenced(TypeDefinition type)
    {
        var used = new List<TypeReference>();
        if (type.BaseType is not null)
        {
            used.AddRange(Expand(type.BaseType));
        }

        used.AddRange(type.Interfaces.SelectMany(i => Expand(i.InterfaceType)));
        used.AddRange(Attributes(type));
        used.AddRange(type.Fields.SelectMany(f => Expand(f.FieldType).Concat(Attributes(f))));
        used.AddRange(type.Properties.SelectMany(p => Expand(p.PropertyType).Concat(Attributes(p))));
        foreach (var method in type.Methods)
        {
            used.AddRange(Expand(method.ReturnType));
            used.AddRange(Attributes(method));
            used.AddRange(method.Parameters.SelectMany(p => Expand(p.ParameterType).Concat(Attributes(p))));
            if (method.HasBody)
            {
                used.AddRange(method.Body.Variables.SelectMany(v => Expand(v.VariableType)));
                used.AddRange(method.Body.Instructions.SelectMany(instruction => instruction.Operand switch
                {
                    TypeReference t => Expand(t),
                    MethodReference m => Expand(m.DeclaringType).Concat(Expand(m.ReturnType)).Concat(m.Parameters.SelectMany(p => Expand(p.ParameterType)))
                        .Concat(m is GenericInstanceMethod g ? g.GenericArguments.SelectMany(Expand) : []),
                    FieldReference f => Expand(f.DeclaringType).Concat(Expand(f.FieldType)),
                    _ => [],
                }));
            }
        }

        return used;
    }

    private static IEnumerable<TypeReference> Attributes(ICustomAttributeProvider provider) =>
        provider.CustomAttributes.SelectMany(a => Expand(a.AttributeType)
            .Concat(a.ConstructorArguments.Select(arg => arg.Value).OfType<TypeReference>().SelectMany(Expand)));

    // A generic instance, array, pointer or by-ref names its element and arguments too.
    private static IEnumerable<TypeReference> Expand(TypeReference type) => type switch
    {
        GenericInstanceType generic => Expand(generic.ElementType).Concat(generic.GenericArguments.SelectMany(Expand)),
        TypeSpecification specification => Expand(specification.ElementType),
        GenericParameter => [],
        _ => [type],
    };
}
