using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LogMonitoring.TestSupport;

namespace LogMonitoring.IntegrationTests;

/// <summary>
/// Alertmanager's routing as committed (deploy/alertmanager): the real <c>prometheus-alertmanager</c>
/// started from render-config.sh with a webhook receiver, sent alerts the way Prometheus and Grafana
/// send them. A service that is down silences its own error alert, and a Grafana copy of an alert stays
/// silent while Prometheus' alert fires; everything else is delivered, grouped by alert and service.
/// </summary>
public sealed class AlertRoutingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Down_service_inhibits_its_error_alert_and_grafana_copies_wait_for_prometheus()
    {
        var executable = Executable("prometheus-alertmanager");
        if (executable is null)
        {
            Assert.Skip("'prometheus-alertmanager' is not on the PATH (.ci/install.sh installs it: apt-get install prometheus-alertmanager)");
        }

        await using var receiver = new AlertWebhookReceiver();
        var folder = Directory.CreateTempSubdirectory("logmon-am-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo("sh")
        {
            ArgumentList =
            {
                RepositoryRoot.PathOf("deploy", "alertmanager", "render-config.sh"), Path.Combine(folder, "alertmanager.yml"),
                executable, $"--config.file={Path.Combine(folder, "alertmanager.yml")}", $"--storage.path={folder}",
                $"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
            },
            Environment =
            {
                ["LOGMON_ALERT_WEBHOOK_URL"] = receiver.Url.ToString(),
                ["LOGMON_ALERT_GROUP_WAIT"] = "3s",
                ["LOGMON_ALERT_GROUP_INTERVAL"] = "5s",
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var alertmanager = Process.Start(start)!;
        alertmanager.BeginErrorReadLine();
        alertmanager.BeginOutputReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitReadyAsync(http, alertmanager);

            // What Prometheus sends (its labels plus the external label system) and Grafana's copies.
            JsonObject Alert(string name, string severity, params (string Key, string Value)[] labels)
            {
                var all = new JsonObject { ["alertname"] = name, ["severity"] = severity };
                foreach (var (key, value) in labels)
                {
                    all[key] = value;
                }

                return new JsonObject { ["labels"] = all, ["annotations"] = new JsonObject { ["summary"] = name } };
            }

            var alerts = new JsonArray(
                Alert("LogMonServiceDown", "critical", ("job", "ingest"), ("instance", "ingest-0"), ("system", "logmonitoring")),
                Alert("LogMonIngest5xxRateHigh", "critical", ("system", "logmonitoring")),
                Alert("LogMonErrorRateHigh", "warning", ("service", "payment-service"), ("system", "logmonitoring")),
                Alert("LogMonErrorRateHigh", "warning", ("service", "payment-service"), ("grafana_folder", "LogMonitoring alerts")),
                // A Grafana copy with no Prometheus alert beside it (Prometheus cannot reach Alertmanager): delivered.
                Alert("LogMonEventsLost", "critical", ("grafana_folder", "LogMonitoring alerts")));
            using (var posted = await http.PostAsJsonAsync("/api/v2/alerts", alerts, Ct))
            {
                posted.EnsureSuccessStatusCode();
            }

            // One notification per group (alertname, service, job); wait for the three that must arrive,
            // then a few group intervals more for any that must not.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            wait.CancelAfter(TimeSpan.FromMinutes(2));
            foreach (var name in new[] { "LogMonServiceDown", "LogMonErrorRateHigh", "LogMonEventsLost" })
            {
                await receiver.WaitForAsync(n => (string?)n["groupLabels"]?["alertname"] == name, wait.Token);
            }

            await Task.Delay(TimeSpan.FromSeconds(15), Ct);
            var delivered = receiver.Received.SelectMany(n => n["alerts"]!.AsArray())
                .Select(a => ((string)a!["labels"]!["alertname"]!, (string?)a["labels"]!["grafana_folder"]))
                .Distinct()
                .Order()
                .ToList();
            Assert.Equal(
                [
                    ("LogMonErrorRateHigh", null),
                    ("LogMonEventsLost", "LogMonitoring alerts"),
                    ("LogMonServiceDown", null),
                ],
                delivered);
            Assert.All(receiver.Received, n => Assert.Equal("logmonitoring", (string?)n["receiver"]));
        }
        finally
        {
            alertmanager.Kill(entireProcessTree: true);
            await alertmanager.WaitForExitAsync(CancellationToken.None);
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task WaitReadyAsync(HttpClient http, Process alertmanager)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            Assert.False(alertmanager.HasExited, $"Alertmanager exited with code {(alertmanager.HasExited ? alertmanager.ExitCode : 0)}");
            try
            {
                using var ready = await http.GetAsync("/-/ready", Ct);
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, Ct);
        }

        Assert.Fail("Alertmanager did not become ready within a minute");
    }

    private static string? Executable(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }
}
