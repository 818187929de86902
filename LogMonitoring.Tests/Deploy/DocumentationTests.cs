namespace LogMonitoring.Tests.Deploy;

/// <summary>A reader gets from the docs alone to a deployment: every script they run is explained there.</summary>
public class DocumentationTests
{
    public static TheoryData<string> Scripts() => new(
        Directory.EnumerateFiles(Repository.PathOf("deploy"), "*.sh", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(p) != "lib.sh")
            .Select(p => Path.GetRelativePath(Repository.Root, p).Replace('\\', '/'))
            .Order());

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Every_script_is_explained_in_the_deployment_docs(string script)
    {
        var docs = File.ReadAllText(Repository.PathOf("docs", "deploy-gke.md")) + File.ReadAllText(Repository.PathOf("docs", "deploy-k8s-local.md"));
        Assert.Contains(Path.GetFileName(script), docs);
    }
}
