namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>A reader gets from the docs alone to a deployment: every script they run is explained there.</summary>
public class DocumentationTests
{
    public static TheoryData<string> Scripts() => new(
        Directory.EnumerateFiles(RepositoryRoot.PathOf("deploy"), "*.sh", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(p) != "lib.sh")
            .Select(p => Path.GetRelativePath(RepositoryRoot.Path, p).Replace('\\', '/'))
            .Order());

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Every_script_is_explained_in_the_deployment_docs(string script)
    {
        // The deployment guides, and the CI/CD guide for the scripts the workflows call.
        var docs = string.Concat(new[] { "deploy-gke.md", "deploy-k8s-local.md", "ci-cd.md" }.Select(d => File.ReadAllText(RepositoryRoot.PathOf("docs", d))));
        Assert.Contains(Path.GetFileName(script), docs);
    }
}
