using Microsoft.AspNetCore.Http;

namespace NanoBanana.Functions.Tests.Unit.ArchitectureCanary;

/// <summary>A deliberate violation, for the test that proves the architecture rule can fail.</summary>
internal sealed class UsesHttpInsideAMethodBody
{
    public async Task<int> StatusAsync()
    {
        await Task.Yield();
        return new DefaultHttpContext().Response.StatusCode;
    }
}
