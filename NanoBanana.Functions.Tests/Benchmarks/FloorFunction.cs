using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using NanoBanana.Functions.Tests.Infrastructure.HttpFront;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>
/// The benchmark's floor: a one-line HTTP function behind the same front, invoked the same way as the
/// app's (a DI scope, the production middleware, the IResult executed), so what an endpoint costs above
/// it is the app's own work.
/// </summary>
public sealed class FloorFunction
{
    public const string Route = "bench/floor";

    internal static readonly HttpFunction Metadata = new("BenchFloor", $"{typeof(FloorFunction).FullName}.{nameof(Run)}", Route, ["get"], "anonymous");

    public Task<Ok<FloorResponse>> Run(HttpRequest request) => Task.FromResult(TypedResults.Ok(new FloorResponse("ok")));
}

public sealed record FloorResponse(string Status);
