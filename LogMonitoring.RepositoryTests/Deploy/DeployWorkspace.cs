namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// A throw-away copy of deploy/ and grafana/ with deploy/k8s/base/secrets.env made from the committed
/// example, so overlays render and scripts run exactly as on a user's machine without touching the
/// repository (where secrets.env is deliberately absent).
/// </summary>
internal static class DeployWorkspace
{
    private static readonly Lazy<string> s_root = new(Create);

    /// <summary>The copy's root: it holds deploy/ (and grafana/ when the repository has it).</summary>
    public static string Root => s_root.Value;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Create()
    {
        var root = Directory.CreateTempSubdirectory("logmonitoring-deploy-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the folder is under the temp directory.
            }
        };

        foreach (var folder in new[] { "deploy", "grafana" })
        {
            var source = RepositoryRoot.PathOf(folder);
            if (Directory.Exists(source))
            {
                CopyDirectory(source, Path.Combine(root, folder));
            }
        }

        var secrets = Path.Combine(root, "deploy", "k8s", "base", "secrets.env");
        File.Copy(Path.Combine(root, "deploy", "k8s", "base", "secrets.env.example"), secrets, overwrite: true);
        return root;
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            var copy = Path.Combine(target, Path.GetFileName(file));
            File.Copy(file, copy);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(copy, File.GetUnixFileMode(file));
            }
        }

        foreach (var directory in Directory.EnumerateDirectories(source))
        {
            CopyDirectory(directory, Path.Combine(target, Path.GetFileName(directory)));
        }
    }
}
