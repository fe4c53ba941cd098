using System.Linq.Expressions;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace NanoBanana.Functions.Tests.Infrastructure.HttpFront;

/// <summary>What an invocation has to bind parameters from.</summary>
internal readonly record struct FunctionInput(HttpContext? Http, CancellationToken Cancellation);

/// <summary>
/// A function's entry point ("Namespace.Class.Method" from functions.metadata) as a delegate built once:
/// the class made from DI per invocation (as the worker's activator does), parameters bound by type
/// (HttpRequest, CancellationToken, TimerInfo) or, for strings, by route parameter name, and the result
/// awaited. Calling it does no reflection.
/// </summary>
internal sealed class FunctionInvoker
{
    private static readonly MethodInfo AwaitResult = typeof(FunctionInvoker).GetMethod(nameof(AwaitResultAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo AwaitNoResult = typeof(FunctionInvoker).GetMethod(nameof(AwaitNoResultAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly ObjectFactory? _activate;
    private readonly Func<object?, object?[], Task<object?>> _call;
    private readonly Func<FunctionInput, object?>[] _binders;

    private FunctionInvoker(ObjectFactory? activate, Func<object?, object?[], Task<object?>> call, Func<FunctionInput, object?>[] binders, Type? resultType)
    {
        _activate = activate;
        _call = call;
        _binders = binders;
        ResultType = resultType;
    }

    /// <summary>What the function's task yields (null for a plain Task).</summary>
    public Type? ResultType { get; }

    public static FunctionInvoker Create(string entryPoint, Assembly assembly)
    {
        var split = entryPoint.LastIndexOf('.');
        var type = assembly.GetType(entryPoint[..split], throwOnError: true)!;
        var method = type.GetMethod(entryPoint[(split + 1)..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{entryPoint} not found in {assembly.GetName().Name}.");

        var parameters = method.GetParameters();
        var instance = Expression.Parameter(typeof(object), "instance");
        var arguments = Expression.Parameter(typeof(object?[]), "arguments");
        var call = Expression.Call(
            method.IsStatic ? null : Expression.Convert(instance, type),
            method,
            parameters.Select((p, i) => Expression.Convert(Expression.ArrayIndex(arguments, Expression.Constant(i)), p.ParameterType)));
        var lambda = Expression.Lambda<Func<object?, object?[], Task<object?>>>(Awaited(call, entryPoint), instance, arguments);

        return new FunctionInvoker(
            method.IsStatic ? null : ActivatorUtilities.CreateFactory(type, Type.EmptyTypes),
            lambda.Compile(),
            parameters.Select(p => Binder(p, entryPoint)).ToArray(),
            method.ReturnType.IsGenericType ? method.ReturnType.GetGenericArguments()[0] : null);
    }

    /// <summary>Runs the function with services from <paramref name="services"/> (the invocation's scope); returns its result.</summary>
    public Task<object?> InvokeAsync(IServiceProvider services, FunctionInput input)
    {
        var arguments = new object?[_binders.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            arguments[i] = _binders[i](input);
        }

        return _call(_activate?.Invoke(services, null), arguments);
    }

    private static Func<FunctionInput, object?> Binder(ParameterInfo parameter, string entryPoint)
    {
        var name = parameter.Name!;
        return parameter.ParameterType switch
        {
            var t when t == typeof(HttpRequest) => input => input.Http!.Request,
            var t when t == typeof(HttpContext) => input => input.Http,
            var t when t == typeof(CancellationToken) => input => input.Cancellation,
            var t when t == typeof(TimerInfo) => _ => new TimerInfo(),
            var t when t == typeof(string) => input => input.Http?.GetRouteValue(name)?.ToString(),
            _ => throw new NotSupportedException($"{entryPoint}: the front cannot bind parameter {name} of type {parameter.ParameterType}."),
        };
    }

    private static Expression Awaited(MethodCallExpression call, string entryPoint)
    {
        var type = call.Method.ReturnType;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>))
        {
            return Expression.Call(AwaitResult.MakeGenericMethod(type.GetGenericArguments()[0]), call);
        }

        return type == typeof(Task)
            ? Expression.Call(AwaitNoResult, call)
            : throw new NotSupportedException($"{entryPoint} returns {type}; the front runs functions that return Task or Task<T>.");
    }

    private static async Task<object?> AwaitResultAsync<T>(Task<T> task) => await task;

    private static async Task<object?> AwaitNoResultAsync(Task task)
    {
        await task;
        return null;
    }
}
