using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// The FunctionContext of one invocation, holding what the worker hands the middleware: the
/// function's trigger bindings, and for an HTTP function what the ASP.NET Core integration adds,
/// the HttpContext (found by <c>GetHttpContext()</c> under the integration's Items key) and the
/// invocation result (<c>GetInvocationResult()</c>) it executes once the pipeline returns. Lets the
/// tests run the production middleware as it is.
/// </summary>
internal sealed class TestFunctionContext : FunctionContext
{
    // Microsoft.Azure.Functions.Worker.Extensions.Http.AspNetCore's Constants.HttpContextKey.
    private const string HttpContextKey = "HttpRequestContext";

    private readonly FeatureCollection _features = new();

    /// <param name="inputBindings">The function's input bindings by name and type (e.g. "req", "httpTrigger").</param>
    public TestFunctionContext(string functionName, IEnumerable<(string Name, string Type)> inputBindings, IServiceProvider services)
    {
        InstanceServices = services;
        FunctionDefinition = new Definition(functionName, inputBindings);
        _features.Set(InvocationResultFeature.Type, InvocationResultFeature.Create());
    }

    /// <summary>An HTTP function's invocation, as the ASP.NET Core integration sets it up.</summary>
    public static TestFunctionContext ForHttp(HttpContext httpContext, string functionName = "HttpFunction", CancellationToken cancellation = default) =>
        new(functionName, [("req", "httpTrigger")], httpContext.RequestServices) { Items = { [HttpContextKey] = httpContext }, Cancellation = cancellation };

    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId => FunctionDefinition.Id;

    public override TraceContext TraceContext => throw new NotSupportedException();

    public override BindingContext BindingContext => throw new NotSupportedException();

    public override RetryContext RetryContext => throw new NotSupportedException();

    public override IServiceProvider InstanceServices { get; set; }

    public override FunctionDefinition FunctionDefinition { get; }

    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

    public override IInvocationFeatures Features => _features;

    /// <summary>What the host cancels when it stops or times the function out.</summary>
    public override CancellationToken CancellationToken => Cancellation;

    public CancellationToken Cancellation { get; init; }

    private sealed class FeatureCollection : IInvocationFeatures
    {
        private readonly Dictionary<Type, object> _byType = [];

        public void Set<T>(T instance) => Set(typeof(T), instance!);

        public void Set(Type type, object instance) => _byType[type] = instance;

        public T? Get<T>() => _byType.TryGetValue(typeof(T), out var feature) ? (T)feature : default;

        public IEnumerator<KeyValuePair<Type, object>> GetEnumerator() => _byType.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// The worker keeps the invocation result in a feature whose interface (IFunctionBindingsFeature)
    /// is internal; a DispatchProxy implements it, with the result as its only state.
    /// </summary>
    public class InvocationResultFeature : DispatchProxy
    {
        public static readonly Type Type = typeof(FunctionContext).Assembly
            .GetType("Microsoft.Azure.Functions.Worker.Context.Features.IFunctionBindingsFeature", throwOnError: true)!;

        // Activator.CreateInstance finds the proxy's constructor, and the invoke stub it emits for it, in the
        // type's reflection cache, which the runtime holds weakly: a strong reference keeps it, or every
        // GC throws the stub away and the next invocations emit it again (a cost the real worker has not).
        private static readonly ConstructorInfo[] ProxyConstructors = DispatchProxy.Create(Type, typeof(InvocationResultFeature)).GetType()
            .GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);

        private object? _result;

        public static object Create()
        {
            GC.KeepAlive(ProxyConstructors);
            return DispatchProxy.Create(Type, typeof(InvocationResultFeature));
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args) => method?.Name switch
        {
            "get_InvocationResult" => _result,
            "set_InvocationResult" => _result = args![0],
            "get_InputData" or "get_TriggerMetadata" => ImmutableDictionary<string, object?>.Empty,
            "get_OutputBindingData" => new Dictionary<string, object?>(),
            _ => throw new NotSupportedException($"The test's FunctionContext has no {method?.Name}."),
        };
    }

    private sealed class Definition(string name, IEnumerable<(string Name, string Type)> inputs) : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters => [];

        public override string PathToAssembly => typeof(NanoBanana.Functions.Hosting.ExceptionHandlingMiddleware).Assembly.Location;

        public override string EntryPoint => name;

        public override string Id => name;

        public override string Name => name;

        public override IImmutableDictionary<string, BindingMetadata> InputBindings { get; } =
            inputs.ToImmutableDictionary(i => i.Name, BindingMetadata (i) => new Binding(i.Name, i.Type, BindingDirection.In));

        public override IImmutableDictionary<string, BindingMetadata> OutputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
    }

    private sealed class Binding(string name, string type, BindingDirection direction) : BindingMetadata
    {
        public override string Name => name;

        public override string Type => type;

        public override BindingDirection Direction => direction;
    }
}
