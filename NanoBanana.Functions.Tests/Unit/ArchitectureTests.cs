using System.Reflection;
using NanoBanana.Functions.Generations;
using NetArchTest.Rules;

namespace NanoBanana.Functions.Tests.Unit;

/// <summary>
/// The domain (Generations/) speaks in domain terms and leaves HTTP to the edge (Api/): it refuses
/// with <see cref="GenerationRefusedException"/>, and Api/ProblemMapper decides the status codes.
/// Read from the compiled assembly by NetArchTest (signatures and method bodies, async state
/// machines included), so neither a fully qualified name nor a missing using can hide a dependency.
/// </summary>
public sealed class ArchitectureTests
{
    private const string Domain = "NanoBanana.Functions.Generations";

    [Theory]
    [InlineData("Microsoft.AspNetCore")]
    [InlineData("Microsoft.Azure.Functions.Worker")]
    [InlineData("NanoBanana.Functions.Api")]
    public void TheDomain_DependsOnNothingOfTheHttpEdge(string edge)
    {
        var result = TypesIn(typeof(GenerationService).Assembly, Domain).ShouldNot().HaveDependencyOn(edge).GetResult();

        Assert.True(result.IsSuccessful, $"Generations/ depends on {edge}: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void TheRule_ReadsTheDomainTypes()
    {
        var names = TypesIn(typeof(GenerationService).Assembly, Domain).GetTypes().Select(t => t.Name).ToList();

        Assert.Contains(nameof(GenerationService), names);
        Assert.Contains(nameof(PersonalGeminiKeys), names);
    }

    [Fact]
    public void TheRule_CatchesHttpUsedOnlyInsideAnAsyncMethodBody()
    {
        var result = TypesIn(typeof(ArchitectureTests).Assembly, typeof(ArchitectureCanary.UsesHttpInsideAMethodBody).Namespace!)
            .ShouldNot().HaveDependencyOn("Microsoft.AspNetCore").GetResult();

        Assert.False(result.IsSuccessful);
    }

    private static PredicateList TypesIn(Assembly assembly, string ns) => Types.InAssembly(assembly).That().ResideInNamespace(ns);
}
