using NanoBanana.Functions.Generations;

namespace NanoBanana.Functions.Http;

/// <summary>A generation id from the route; anything that is not a UUID names no generation (404, not 400).</summary>
public static class RouteId
{
    public static Guid Parse(string? value) =>
        Guid.TryParse(value, out var id) ? id : throw new GenerationNotFoundException();
}
