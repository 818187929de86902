namespace LogMonitoring.RepositoryTests.Workflows;

/// <summary>Every script, project and path the workflows name exists, so a run fails on its merits, not on a rename.</summary>
public sealed class WorkflowReferenceTests
{
    public static TheoryData<string> WorkflowFiles => new(Workflow.Files);

    [Theory]
    [MemberData(nameof(WorkflowFiles))]
    public void Every_path_a_workflow_names_exists(string file)
    {
        var workflow = Workflow.Load(file);
        var references = RepositoryReferences.In(workflow);
        Assert.NotEmpty(references);

        var missing = references
            .Where(reference => !RepositoryReferences.Exists(reference.Path))
            .GroupBy(reference => reference.Path)
            .Select(group => $"  {group.Key}  (named in {string.Join("; ", group.Select(r => r.Where).Distinct())})")
            .ToList();

        Assert.True(missing.Count == 0,
            $"{file} names {missing.Count} path(s) that are not in the repository:{Environment.NewLine}{string.Join(Environment.NewLine, missing)}");
    }

    [Fact]
    public void Scripts_projects_inputs_and_hash_patterns_are_all_found()
    {
        var workflow = Workflow.Parse("sample.yml", """
            name: sample
            on: push
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/setup-dotnet@v5
                    with:
                      global-json-file: global.json
                  - uses: actions/cache@v5
                    with:
                      path: ~/.nuget/packages
                      key: nuget-${{ hashFiles('Directory.Packages.props', '**/*.csproj') }}
                  - uses: ./.github/actions/setup
                  - run: |
                      dotnet build LogMonitoring.sln -warnaserror
                      dotnet publish LogMonitoring.Ingest/LogMonitoring.Ingest.csproj -p:ContainerArchiveOutputPath="$RUNNER_TEMP/x.tar.gz"
                      bash deploy/scripts/deploy.sh --overlay gke --registry "ghcr.io/${OWNER}" --tag "$TAG"
                      ls -lh "${RUNNER_TEMP}/images" TestResults/**/*.trx
            """);

        var paths = RepositoryReferences.In(workflow).Select(reference => reference.Path).ToHashSet();

        Assert.Equal(
            new HashSet<string>
            {
                "global.json", "Directory.Packages.props", "**/*.csproj", ".github/actions/setup",
                "LogMonitoring.sln", "LogMonitoring.Ingest/LogMonitoring.Ingest.csproj", "deploy/scripts/deploy.sh",
            },
            paths);
    }

    [Fact]
    public void A_missing_path_and_a_glob_matching_nothing_are_reported_missing()
    {
        Assert.True(RepositoryReferences.Exists("LogMonitoring.sln"));
        Assert.True(RepositoryReferences.Exists("**/*.csproj"));
        Assert.True(RepositoryReferences.Exists(".github/workflows"));
        Assert.False(RepositoryReferences.Exists("deploy/no-such-script.sh"));
        Assert.False(RepositoryReferences.Exists("**/*.no-such-extension"));
    }

    [Theory]
    [InlineData("**/*.csproj", "LogMonitoring.Tests/LogMonitoring.Tests.csproj", true)]
    [InlineData("**/*.csproj", "top.csproj", true)]
    [InlineData("deploy/prometheus/rules/*.yml", "deploy/prometheus/rules/ingest.yml", true)]
    [InlineData("deploy/prometheus/rules/*.yml", "deploy/prometheus/rules/nested/ingest.yml", false)]
    [InlineData("deploy/ci/?.sh", "deploy/ci/ab.sh", false)]
    public void Globs_match_the_way_the_runner_matches_them(string glob, string path, bool matches) =>
        Assert.Equal(matches, RepositoryReferences.GlobToRegex(glob).IsMatch(path));
}
