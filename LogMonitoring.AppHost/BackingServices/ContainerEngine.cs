using System.Diagnostics;

namespace LogMonitoring.AppHost.BackingServices;

/// <summary>Finds out whether a container engine answers, the way Aspire itself would use one.</summary>
internal static class ContainerEngine
{
    /// <returns>The engine that answered ("docker" or "podman"), or null with the reason.</returns>
    public static (string? Engine, string Reason) Detect()
    {
        var preferred = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME");
        string[] candidates = string.IsNullOrEmpty(preferred) ? ["docker", "podman"] : [preferred];
        var reasons = new List<string>();
        foreach (var engine in candidates)
        {
            try
            {
                using var process = Process.Start(new ProcessStartInfo(engine, "info --format {{.ServerVersion}}")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                });
                if (process is null)
                {
                    reasons.Add($"{engine} did not start");
                    continue;
                }

                if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
                {
                    process.Kill(entireProcessTree: true);
                    reasons.Add($"'{engine} info' did not answer within 10 s");
                    continue;
                }

                if (process.ExitCode == 0)
                {
                    return (engine, $"'{engine} info' answered (server {process.StandardOutput.ReadToEnd().Trim()})");
                }

                reasons.Add($"'{engine} info' failed: {process.StandardError.ReadToEnd().Trim().Split('\n').FirstOrDefault()}");
            }
            catch (System.ComponentModel.Win32Exception)
            {
                reasons.Add($"{engine} is not installed");
            }
        }

        return (null, string.Join("; ", reasons));
    }
}
