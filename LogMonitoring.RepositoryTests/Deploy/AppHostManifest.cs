using System.Text.Json;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// The resource graph as the AppHost publishes it (<c>--publisher manifest</c>), produced once per
/// test run: the services, the connection strings each one receives, and their other settings.
/// </summary>
internal sealed class AppHostManifest
{
    private static readonly Lazy<AppHostManifest> s_published = new(Publish);

    private AppHostManifest(JsonElement resources) => Resources = resources;

    public static string ProjectPath => RepositoryRoot.PathOf("LogMonitoring.AppHost", "LogMonitoring.AppHost.csproj");

    public static AppHostManifest Published => s_published.Value;

    public JsonElement Resources { get; }

    /// <summary>The .NET projects the AppHost runs (type project.v0), by resource name.</summary>
    public IReadOnlyDictionary<string, JsonElement> Projects =>
        Resources.EnumerateObject().Where(r => r.Value.GetProperty("type").GetString() == "project.v0").ToDictionary(r => r.Name, r => r.Value);

    /// <summary>The resources that provide a connection string (Kafka, the log store), by name.</summary>
    public IReadOnlySet<string> ConnectionStrings =>
        Resources.EnumerateObject().Where(r => r.Value.TryGetProperty("connectionString", out _)).Select(r => r.Name).ToHashSet();

    public static IReadOnlyDictionary<string, string> EnvironmentOf(JsonElement project) =>
        project.TryGetProperty("env", out var env)
            ? env.EnumerateObject().ToDictionary(e => e.Name, e => e.Value.GetString() ?? "")
            : new Dictionary<string, string>();

    private static AppHostManifest Publish()
    {
        var output = Path.Combine(Directory.CreateTempSubdirectory("logmonitoring-manifest-").FullName, "aspire-manifest.json");
        // The solution build (dotnet test at the root) has built the AppHost already; build it only if not.
        var built = File.Exists(RepositoryRoot.PathOf("LogMonitoring.AppHost", "bin", ServiceAssemblies.Configuration, "net10.0", "LogMonitoring.AppHost.dll"));
        string[] arguments =
        [
            "run", "--project", ProjectPath, "--configuration", ServiceAssemblies.Configuration, .. built ? new[] { "--no-build" } : [],
            "--", "--publisher", "manifest", "--output-path", output,
        ];
        var result = CommandLine.Run("dotnet", arguments, timeout: TimeSpan.FromMinutes(8));
        if (result.ExitCode != 0 || !File.Exists(output))
        {
            throw new InvalidOperationException($"Publishing the AppHost's manifest failed:\n{result}");
        }

        using var document = JsonDocument.Parse(File.ReadAllText(output));
        return new AppHostManifest(document.RootElement.GetProperty("resources").Clone());
    }
}
