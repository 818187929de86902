using System.Text.Json.Nodes;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// docker-compose.yml as Compose itself reads it: <c>docker-compose config</c> (Debian's docker-compose,
/// which needs no Docker engine) validates the file and prints it with anchors, merges and variables
/// resolved, and that output is what the tests read.
/// </summary>
internal sealed class ComposeFile
{
    /// <summary>The values the tests give the variables docker-compose.yml requires.</summary>
    public static readonly IReadOnlyDictionary<string, string> Variables = new Dictionary<string, string>
    {
        ["LOGMON_API_KEY"] = "compose-test-key",
        ["MONGO_PASSWORD"] = "compose-test-password",
        ["GRAFANA_ADMIN_PASSWORD"] = "compose-test-admin",
    };

    private static readonly Lazy<ComposeFile> s_resolved = new(() => Resolve(Variables));

    private ComposeFile(JsonObject services) => Services = services;

    public static string Path => RepositoryRoot.PathOf("docker-compose.yml");

    public static ComposeFile Resolved => s_resolved.Value;

    public JsonObject Services { get; }

    public static CommandResult Config(IReadOnlyDictionary<string, string> variables) =>
        CommandLine.Run("docker-compose", ["-f", Path, "config"], environment: variables, timeout: TimeSpan.FromMinutes(2));

    public JsonObject Service(string name) =>
        Services[name]?.AsObject() ?? throw new KeyNotFoundException($"docker-compose.yml has no service '{name}'");

    public static string ImageOf(JsonObject service) => service["image"]!.GetValue<string>();

    public static IReadOnlyDictionary<string, string> EnvironmentOf(JsonObject service) =>
        service["environment"]?.AsObject().ToDictionary(e => e.Key, e => e.Value?.GetValue<string>() ?? "") ?? [];

    private static ComposeFile Resolve(IReadOnlyDictionary<string, string> variables)
    {
        var result = Config(variables);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"docker-compose config refused docker-compose.yml:\n{result}");
        }

        var file = System.IO.Path.Combine(Directory.CreateTempSubdirectory("logmonitoring-compose-").FullName, "resolved.yml");
        File.WriteAllText(file, result.StandardOutput);
        return new ComposeFile(YamlDocument.Load(file)!["services"]!.AsObject());
    }
}
