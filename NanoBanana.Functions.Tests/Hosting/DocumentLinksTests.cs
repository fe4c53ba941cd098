using System.Text.RegularExpressions;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Hosting;

/// <summary>
/// The README and docs/ link to files that exist and to headings those files have (GitHub's anchors),
/// so moving a section out of one document cannot leave a link pointing at nothing.
/// </summary>
public sealed partial class DocumentLinksTests
{
    public static TheoryData<string> Documents => [
        "README.md",
        .. Directory.EnumerateFiles(Path.Combine(TestSettings.RepositoryRoot, "docs"), "*.md")
            .Select(f => Path.GetRelativePath(TestSettings.RepositoryRoot, f).Replace('\\', '/')).Order(StringComparer.Ordinal),
    ];

    [Theory]
    [MemberData(nameof(Documents))]
    public void EveryRelativeLink_ReachesAFileAndHeadingThatExist(string document)
    {
        // Arrange
        var path = Path.Combine(TestSettings.RepositoryRoot, document);
        var links = Link().Matches(File.ReadAllText(path)).Select(m => m.Groups["target"].Value)
            .Where(t => !t.StartsWith("http", StringComparison.Ordinal) && !t.StartsWith("mailto:", StringComparison.Ordinal))
            .ToList();

        // Act
        var broken = links.Where(target =>
        {
            var (file, anchor) = target.Split('#', 2) is [var f, var a] ? (f, a) : (target, null);
            var resolved = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, file));
            return !(File.Exists(resolved) || Directory.Exists(resolved))
                || (anchor is not null && !Anchors(resolved).Contains(anchor));
        }).ToList();

        // Assert
        Assert.True(broken.Count == 0, $"{document}: links to nothing: {string.Join(", ", broken)}");
    }

    [Fact]
    public void TheReadme_StaysShort()
    {
        Assert.InRange(File.ReadAllLines(Path.Combine(TestSettings.RepositoryRoot, "README.md")).Length, 1, 200);
    }

    // GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
    private static HashSet<string> Anchors(string markdown) =>
        File.ReadAllLines(markdown).Where(l => l.StartsWith('#'))
            .Select(l => AnchorDropped().Replace(l.TrimStart('#').Trim().ToLowerInvariant(), "").Replace(' ', '-'))
            .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"[^\p{L}\p{N}\- _]")]
    private static partial Regex AnchorDropped();
}
