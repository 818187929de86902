using System.Text.RegularExpressions;

namespace LogMonitoring.RepositoryTests.Docs;

/// <summary>
/// The <c>dotnet test --project ...</c> commands in the README and docs/ name test projects of the
/// solution, and their filters match tests that exist: moving or renaming tests cannot silently turn a
/// documented command into one that runs nothing.
/// </summary>
public sealed partial class TestCommandTests
{
    // "dotnet test --project LogMonitoring.Tests -- --filter-class "X.Y"": the project, then what follows "--".
    [GeneratedRegex(@"dotnet test --project (?<project>[\w.]+)(?<options>[^`\n|]*)")]
    private static partial Regex TestCommand();

    [GeneratedRegex(@"--filter-(?<kind>namespace|class|method) ""(?<value>[^""]+)""")]
    private static partial Regex Filter();

    [GeneratedRegex(@"^namespace (?<name>[\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"\bclass (?<name>\w+)")]
    private static partial Regex ClassDeclaration();

    [GeneratedRegex(@"\b(?:public|private|internal)\s+(?:static\s+)?(?:async\s+)?[\w<>\[\],? ]+\s(?<name>\w+)\(")]
    private static partial Regex MethodDeclaration();

    public static TheoryData<string, string, string> DocumentedCommands()
    {
        var data = new TheoryData<string, string, string>();
        var seen = new HashSet<string>();
        var files = new[] { RepositoryRoot.PathOf("README.md") }
            .Concat(Directory.GetFiles(RepositoryRoot.PathOf("docs"), "*.md", SearchOption.AllDirectories));
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(RepositoryRoot.Path, file);
            foreach (Match command in TestCommand().Matches(File.ReadAllText(file)))
            {
                var (project, options) = (command.Groups["project"].Value, command.Groups["options"].Value.Trim());
                if (seen.Add($"{relative} {project} {options}"))
                {
                    data.Add(relative, project, options);
                }
            }
        }

        return data;
    }

    [Fact]
    public void The_docs_name_test_commands()
    {
        Assert.NotEmpty(DocumentedCommands());
    }

    [Fact]
    public void The_README_says_how_to_run_every_test_project_alone()
    {
        var readme = File.ReadAllText(RepositoryRoot.PathOf("README.md"));
        var missing = TestProjects().Where(p => !readme.Contains($"dotnet test --project {p}`", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "README.md does not say how to run: " + string.Join(", ", missing));
    }

    [Theory]
    [MemberData(nameof(DocumentedCommands))]
    public void A_documented_test_command_names_a_test_project_and_its_filters_match_tests(string file, string project, string options)
    {
        Assert.True(TestProjects().Contains(project), $"{file}: '{project}' is not a test project of LogMonitoring.sln");

        var sources = Directory.GetFiles(RepositoryRoot.PathOf(project), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText)
            .ToList();
        foreach (Match filter in Filter().Matches(options))
        {
            var value = filter.Groups["value"].Value;
            var matched = filter.Groups["kind"].Value switch
            {
                "namespace" => sources.Any(s => NamespaceDeclaration().Matches(s).Any(n => Wildcard(value).IsMatch(n.Groups["name"].Value))),
                "class" => sources.Any(s => NamespaceDeclaration().Matches(s).Any(n =>
                    ClassDeclaration().Matches(s).Any(c => Wildcard(value).IsMatch($"{n.Groups["name"].Value}.{c.Groups["name"].Value}")))),
                _ => sources.Any(s => MethodDeclaration().Matches(s).Any(m => Wildcard(value).IsMatch(m.Groups["name"].Value))),
            };
            Assert.True(matched, $"{file}: --filter-{filter.Groups["kind"].Value} \"{value}\" matches nothing in {project}");
        }
    }

    /// <summary>The solution's test projects: those whose project file says IsTestProject.</summary>
    private static IReadOnlySet<string> TestProjects() =>
        Regex.Matches(File.ReadAllText(RepositoryRoot.PathOf("LogMonitoring.sln")), @"""(?<name>[\w.]+)"", ""(?<path>[^""]+\.csproj)""")
            .Where(m => File.ReadAllText(RepositoryRoot.PathOf(m.Groups["path"].Value.Split('\\'))).Contains("<IsTestProject>true</IsTestProject>", StringComparison.Ordinal))
            .Select(m => m.Groups["name"].Value)
            .ToHashSet();

    // The test platform's filters take '*' as "any characters".
    private static Regex Wildcard(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant);
}
