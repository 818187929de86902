using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace LogMonitoring.RepositoryTests.Workflows;

/// <summary>The rules docs/ci-cd.md promises the workflows keep.</summary>
public sealed partial class WorkflowPolicyTests
{
    public static TheoryData<string> WorkflowFiles => new(Workflow.Files);

    [Theory]
    [MemberData(nameof(WorkflowFiles))]
    public void Every_action_is_pinned_to_a_version_or_a_commit(string file)
    {
        var workflow = Workflow.Load(file);
        var unpinned = workflow.Steps
            .Where(step => step.Uses is { } uses && !uses.StartsWith("./", StringComparison.Ordinal) && !PinnedAction().IsMatch(uses))
            .Select(step => $"{step.Uses} ({step.Label})")
            .ToList();

        Assert.True(unpinned.Count == 0, $"{file}: actions without a version or commit pin: {string.Join(", ", unpinned)}");
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

    // owner/repo[/path]@v4, @v4.1, @v4.1.7, or @<40-hex commit>; docker:// images need a tag or digest.
    [GeneratedRegex(@"^(?:[\w.-]+/[\w./-]+@(?:v\d+(?:\.\d+){0,2}|[0-9a-f]{40})|docker://[^\s]+(?::[\w.-]+|@sha256:[0-9a-f]{64}))$")]
    private static partial Regex PinnedAction();

    [GeneratedRegex(@"\$\{\{(?<body>.*?)\}\}", RegexOptions.Singleline)]
    private static partial Regex Expression();

    [GeneratedRegex(@"\b(?:secrets|vars)\.(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex SecretOrVariable();
}
