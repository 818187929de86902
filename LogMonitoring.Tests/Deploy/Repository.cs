namespace LogMonitoring.Tests.Deploy;

/// <summary>Paths in the repository under test.</summary>
internal static class Repository
{
    /// <summary>The folder holding LogMonitoring.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LogMonitoring.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No LogMonitoring.sln above {AppContext.BaseDirectory}.");
    }
}
