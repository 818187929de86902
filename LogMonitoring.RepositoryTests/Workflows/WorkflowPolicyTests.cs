using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace LogMonitoring.RepositoryTests.Workflows;

/// <summary>The rules docs/ci-cd.md promises the workflows keep.</summary>
public sealed partial class WorkflowPolicyTests
{
    public static TheoryData<string> WorkflowFiles => new(Workflow.Files);

    [Theory]
    [MemberData(nameof(WorkflowFiles))]
    public void Every_action_is_pinned_to_a_commit_with_its_version_beside_it(string file)
    {
        var workflow = Workflow.Load(file);
        var unpinned = workflow.Steps
            .Where(step => step.Uses is { } uses && !uses.StartsWith("./", StringComparison.Ordinal) && !PinnedAction().IsMatch(uses))
            .Select(step => $"{step.Uses} ({step.Label})")
            .ToList();
        Assert.True(unpinned.Count == 0, $"{file}: actions not pinned to a 40-hex commit: {string.Join(", ", unpinned)}");

        // The version a pin stands for, as a comment Dependabot keeps in step with the SHA.
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, file));
        var uncommented = lines.Where(l => UsesLine().Match(l) is { Success: true } m && !m.Groups["uses"].Value.StartsWith("./", StringComparison.Ordinal) && !VersionComment().IsMatch(l)).ToList();
        Assert.True(uncommented.Count == 0, $"{file}: pins without a '# vX.Y.Z' comment:\n{string.Join('\n', uncommented)}");
    }

    [Fact]
    public void Dependabot_keeps_the_pinned_actions_current()
    {
        var path = Path.Combine(RepositoryRoot.Path, ".github", "dependabot.yml");
        Assert.True(File.Exists(path), ".github/dependabot.yml is missing");
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        var root = (YamlMappingNode)stream.Documents.Single().RootNode;
        var updates = ((YamlSequenceNode)root.Child("updates")!).Children.Cast<YamlMappingNode>();
        Assert.Contains(updates, u => u.Scalar("package-ecosystem") == "github-actions" && u.Scalar("directory") == "/");
    }

    [Theory]
    [MemberData(nameof(WorkflowFiles))]
    public void The_default_token_is_read_only_at_the_top(string file)
    {
        var workflow = Workflow.Load(file);
        var permissions = workflow.Root.Child("permissions");

        Assert.NotNull(permissions);
        var grants = permissions switch
        {
            YamlMappingNode mapping => mapping.Children.Select(p => $"{p.Key}: {p.Value}").ToList(),
            YamlScalarNode scalar => [scalar.Value ?? ""],
            _ => [],
        };
        Assert.DoesNotContain(grants, grant => grant.Contains("write", StringComparison.Ordinal));
    }

    [Fact]
    public void Ci_grants_no_write_access_anywhere()
    {
        var workflow = Workflow.Load(".github/workflows/ci.yml");
        var writes = workflow.Scalars().Where(s => s.Location.Contains("permissions", StringComparison.Ordinal) && s.Value.Contains("write", StringComparison.Ordinal));
        Assert.Empty(writes);
    }

    [Fact]
    public void Ci_cancels_superseded_runs()
    {
        var concurrency = Workflow.Load(".github/workflows/ci.yml").Root.Child("concurrency") as YamlMappingNode;

        Assert.NotNull(concurrency);
        Assert.Equal("true", concurrency.Scalar("cancel-in-progress"));
        Assert.Contains("${{", concurrency.Scalar("group"), StringComparison.Ordinal);
    }

    [Fact]
    public void Cd_follows_the_ci_workflow_by_its_name()
    {
        var ciName = Workflow.Load(".github/workflows/ci.yml").Name;
        var cd = Workflow.Load(".github/workflows/cd.yml");
        var followed = cd.Scalars().Where(s => s.Location.StartsWith("on.workflow_run.workflows", StringComparison.Ordinal)).Select(s => s.Value);

        Assert.Equal([ciName], followed);
    }

    [Fact]
    public void Production_waits_for_staging()
    {
        var cd = Workflow.Load(".github/workflows/cd.yml");
        var production = cd.Jobs.Single(job => job.Id == "production").Job;
        var needs = production.Child("needs") switch
        {
            YamlSequenceNode sequence => sequence.Children.Select(n => ((YamlScalarNode)n).Value).ToList(),
            YamlScalarNode scalar => [scalar.Value],
            _ => [],
        };

        Assert.Contains("staging", needs);
        Assert.Equal("production", production.Scalar("environment") ?? (production.Child("environment") as YamlMappingNode)?.Scalar("name"));
    }

    /// <summary>Deployment logic lives in scripts a person can run by hand, not in long inline shell.</summary>
    [Fact]
    public void Cd_steps_call_scripts_rather_than_long_inline_shell()
    {
        var cd = Workflow.Load(".github/workflows/cd.yml");
        var longScripts = cd.Steps
            .Where(step => step.Run is { } run && run.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length > 3)
            .Select(step => step.Label)
            .ToList();

        Assert.True(longScripts.Count == 0, $"cd.yml steps with more than three lines of shell: {string.Join(", ", longScripts)}");
    }

    [Fact]
    public void Every_secret_and_variable_the_workflows_read_is_documented()
    {
        var documentation = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "ci-cd.md"));
        var undocumented = Workflow.Files
            .Select(Workflow.Load)
            .SelectMany(workflow => workflow.Scalars())
            .SelectMany(Expressions)
            .SelectMany(expression => SecretOrVariable().Matches(expression))
            .Select(match => match.Groups["name"].Value)
            .Where(name => name != "GITHUB_TOKEN")
            .Distinct()
            .Where(name => !documentation.Contains($"`{name}`", StringComparison.Ordinal))
            .ToList();

        Assert.True(undocumented.Count == 0, $"docs/ci-cd.md does not list: {string.Join(", ", undocumented)}");
    }

    /// <summary>The expressions in a value: each ${{ }}, or the whole of an if: condition, which may omit them.</summary>
    private static IEnumerable<string> Expressions((string Location, string Value) scalar) =>
        scalar.Location.EndsWith(".if", StringComparison.Ordinal) && !scalar.Value.Contains("${{", StringComparison.Ordinal)
            ? [scalar.Value]
            : Expression().Matches(scalar.Value).Select(match => match.Groups["body"].Value);

    // owner/repo[/path]@<40-hex commit>: a tag can be moved to other code, a commit cannot; docker:// images need a digest.
    [GeneratedRegex(@"^(?:[\w.-]+/[\w./-]+@[0-9a-f]{40}|docker://[^\s]+@sha256:[0-9a-f]{64})$")]
    private static partial Regex PinnedAction();

    [GeneratedRegex(@"^\s*(?:-\s+)?uses:\s*(?<uses>\S+)")]
    private static partial Regex UsesLine();

    [GeneratedRegex(@"@[0-9a-f]{40} # v\d+\.\d+\.\d+\s*$")]
    private static partial Regex VersionComment();

    [GeneratedRegex(@"\$\{\{(?<body>.*?)\}\}", RegexOptions.Singleline)]
    private static partial Regex Expression();

    [GeneratedRegex(@"\b(?:secrets|vars)\.(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex SecretOrVariable();
}
