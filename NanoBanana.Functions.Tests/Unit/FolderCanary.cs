// Deliberate folder cycles and layers, for the tests that prove FolderGraph sees what it must.
namespace NanoBanana.Functions.Tests.Unit.FolderCanary.Lower
{
    internal static class UsesUpperInsideALambda
    {
        // Only a method body (a lambda's closure) names the upper folder: the reader must look inside.
        public static Func<int> Count() => () => Upper.UsesLower.Items.Count;
    }
}

namespace NanoBanana.Functions.Tests.Unit.FolderCanary.Upper
{
    internal static class UsesLower
    {
        public static readonly List<string> Items = [];

        public static Func<int> Lower() => FolderCanary.Lower.UsesUpperInsideALambda.Count();
    }
}

namespace NanoBanana.Functions.Tests.Unit.FolderCanary.Apart
{
    internal static class UsesUpperOnly
    {
        public static int Count() => Upper.UsesLower.Items.Count;
    }
}
