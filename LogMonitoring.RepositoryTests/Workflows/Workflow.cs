using YamlDotNet.RepresentationModel;

namespace LogMonitoring.RepositoryTests.Workflows;

/// <summary>A GitHub Actions workflow file read as plain YAML: its jobs, their steps, and every scalar in it.</summary>
internal sealed class Workflow
{
    private Workflow(string relativePath, YamlMappingNode root)
    {
        RelativePath = relativePath;
        Root = root;
    }

    public static IReadOnlyList<string> Files { get; } = [".github/workflows/ci.yml", ".github/workflows/cd.yml"];

    public string RelativePath { get; }

    public string FileName => System.IO.Path.GetFileName(RelativePath);

    public YamlMappingNode Root { get; }

    public string? Name => Root.Scalar("name");

    public static Workflow Load(string relativePath) =>
        Parse(relativePath, File.ReadAllText(System.IO.Path.Combine(RepositoryRoot.Path, relativePath)));

    public static Workflow Parse(string relativePath, string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = stream.Documents.Single().RootNode as YamlMappingNode
            ?? throw new InvalidDataException($"{relativePath} is not a YAML mapping");
        return new Workflow(relativePath, root);
    }

    public IEnumerable<(string Id, YamlMappingNode Job)> Jobs =>
        Root.Child("jobs") is YamlMappingNode jobs
            ? jobs.Children.Select(job => (((YamlScalarNode)job.Key).Value!, (YamlMappingNode)job.Value))
            : [];

    public IEnumerable<WorkflowStep> Steps =>
        from job in Jobs
        where job.Job.Child("steps") is YamlSequenceNode
        from step in ((YamlSequenceNode)job.Job.Child("steps")!).Children.OfType<YamlMappingNode>().Select((node, index) => (node, index))
        select new WorkflowStep(job.Id, step.index, step.node);

    /// <summary>Every scalar value with where it sits (jobs.staging.steps[3].run), for searches across the file.</summary>
    public IEnumerable<(string Location, string Value)> Scalars() => Walk(Root, "");

    private static IEnumerable<(string, string)> Walk(YamlNode node, string location) => node switch
    {
        YamlScalarNode scalar => [(location, scalar.Value ?? "")],
        YamlSequenceNode sequence => sequence.Children.SelectMany((child, i) => Walk(child, $"{location}[{i}]")),
        YamlMappingNode mapping => mapping.Children.SelectMany(pair =>
            Walk(pair.Value, location.Length == 0 ? ((YamlScalarNode)pair.Key).Value! : $"{location}.{((YamlScalarNode)pair.Key).Value}")),
        _ => [],
    };
}

/// <summary>One step of a job.</summary>
internal sealed record WorkflowStep(string JobId, int Index, YamlMappingNode Node)
{
    public string? Id => Node.Scalar("id");

    public string? Uses => Node.Scalar("uses");

    public string? Run => Node.Scalar("run");

    public IEnumerable<(string Key, string Value)> With =>
        Node.Child("with") is YamlMappingNode with
            ? with.Children.Where(p => p.Value is YamlScalarNode)
                .Select(p => (((YamlScalarNode)p.Key).Value!, ((YamlScalarNode)p.Value).Value ?? ""))
            : [];

    /// <summary>How a person finds the step in the file: job and step name.</summary>
    public string Label => $"job {JobId}, step '{Node.Scalar("name") ?? Id ?? Uses ?? $"#{Index + 1}"}'";
}

internal static class YamlNodeExtensions
{
    public static YamlNode? Child(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    public static string? Scalar(this YamlMappingNode node, string key) => (node.Child(key) as YamlScalarNode)?.Value;
}
