using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LogMonitoring.IntegrationTests;

/// <summary>
/// An alert reaches a person: the AppHost in embedded mode with Prometheus and Alertmanager (the Debian
/// executables) and the simulator; the simulator raises payment-service's error rate, Prometheus fires
/// LogMonErrorRateHigh from the repository's own rules, Alertmanager (the repository's own routing) posts
/// it to the webhook receiver this test runs, and once the incident ends the resolved notification follows.
/// Takes about seven minutes: the alert reads a 5-minute window and must hold for one minute.
/// </summary>
public sealed class AlertDeliveryTests
{
    private const string Service = "payment-service";
    private const string Alert = "LogMonErrorRateHigh";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Error_rate_alert_reaches_the_webhook_receiver_and_its_resolution_follows()
    {
        foreach (var executable in new[] { "prometheus", "prometheus-alertmanager" })
        {
            if (!OnPath(executable))
            {
                Assert.Skip($"'{executable}' is not on the PATH (.ci/install.sh installs it: apt-get install prometheus prometheus-alertmanager)");
            }
        }

        await using var receiver = new AlertWebhookReceiver();
        var dataPath = Directory.CreateTempSubdirectory("logmon-alerts-").FullName;
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        startup.CancelAfter(TimeSpan.FromMinutes(5));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.LogMonitoring_AppHost>(
            [
                "--LogMonitoring:Mode=embedded",
                $"--LogMonitoring:DataPath={dataPath}",
                "--LogMonitoring:Prometheus=true",
                "--LogMonitoring:Simulator=true",
                $"--Parameters:alert-webhook-url={receiver.Url}",
                // The committed grouping waits suit people (30 s, 5 min); the resolved notification would
                // otherwise arrive up to 5 minutes after Alertmanager learnt of it.
                "--LogMonitoring:Alertmanager:GroupWait=5s",
                "--LogMonitoring:Alertmanager:GroupInterval=10s",
                "--DcpPublisher:RandomizePorts=true",
                "--DcpPublisher:WaitForResourceCleanup=false",
            ],
            startup.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical));
        // Enough traffic for steady ratios without loading a shared machine: 40 logs/s in all.
        var simulator = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "simulator");
        simulator.Annotations.Add(new EnvironmentCallbackAnnotation(variables =>
        {
            variables["Simulator__Services__api-service__RatePerSecond"] = "10";
            variables["Simulator__Services__auth-service__RatePerSecond"] = "10";
            variables[$"Simulator__Services__{Service}__RatePerSecond"] = "20";
        }));

        await using var app = await builder.BuildAsync(startup.Token);
        await app.StartAsync(startup.Token);
        foreach (var resource in new[] { "alertmanager", "prometheus", "persister", "simulator" })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, startup.Token);
        }

        using var incidents = app.CreateHttpClient("simulator");
        var clock = Stopwatch.StartNew();
        using (var started = await incidents.PostAsJsonAsync("/api/incidents", new { service = Service, errorRate = 0.5, durationSeconds = 1800 }, Ct))
        {
            started.EnsureSuccessStatusCode();
        }

        using var firingWait = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        firingWait.CancelAfter(TimeSpan.FromMinutes(8));
        var firing = await WaitAsync(receiver, "firing", firingWait.Token);
        var firedAfter = clock.Elapsed;

        using (var ended = await incidents.DeleteAsync("/api/incidents", Ct))
        {
            ended.EnsureSuccessStatusCode();
        }

        using var resolvedWait = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        resolvedWait.CancelAfter(TimeSpan.FromMinutes(10));
        var resolved = await WaitAsync(receiver, "resolved", resolvedWait.Token);
        TestContext.Current.SendDiagnosticMessage(
            $"{Alert} for {Service}: firing notification {firedAfter.TotalSeconds:0} s after the incident started, resolved {(clock.Elapsed - firedAfter).TotalSeconds:0} s after it ended; {receiver.Received.Count} notifications in all");

        // The notification is the repository's receiver, grouped as alertmanager.yml says, and carries
        // the rule's own labels and annotations.
        Assert.Equal("logmonitoring", (string?)firing["receiver"]);
        Assert.Equal(Alert, (string?)firing["groupLabels"]?["alertname"]);
        Assert.Equal(Service, (string?)firing["groupLabels"]?["service"]);
        var alert = Assert.Single(firing["alerts"]!.AsArray(), a => IsOurs(a!))!;
        Assert.Equal("warning", (string?)alert["labels"]?["severity"]);
        Assert.Equal("logmonitoring", (string?)alert["labels"]?["system"]);
        Assert.Equal($"Service {Service} logs too many errors", (string?)alert["annotations"]?["summary"]);
        Assert.Contains(resolved["alerts"]!.AsArray(), a => IsOurs(a!) && (string?)a!["status"] == "resolved" && (string?)a["endsAt"] is { } ends && !ends.StartsWith("0001", StringComparison.Ordinal));
        Assert.True(receiver.Received.IndexOf(firing) < receiver.Received.IndexOf(resolved), "the resolved notification follows the firing one");

        await app.StopAsync(CancellationToken.None);
        TryDelete(dataPath);
    }

    private static async Task<JsonObject> WaitAsync(AlertWebhookReceiver receiver, string status, CancellationToken cancellationToken)
    {
        try
        {
            return await receiver.WaitForAsync(
                n => (string?)n["status"] == status && n["alerts"]!.AsArray().Any(a => IsOurs(a!) && (string?)a!["status"] == status),
                cancellationToken);
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            Assert.Fail($"No '{status}' notification of {Alert} for {Service} arrived in time; received:\n" +
                string.Join("\n", receiver.Received.Select(n => n.ToJsonString())));
            throw;
        }
    }

    private static bool IsOurs(JsonNode alert) =>
        (string?)alert["labels"]?["alertname"] == Alert && (string?)alert["labels"]?["service"] == Service;

    private static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, name)));

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A process may hold a file for a moment after stopping; the folder is temporary anyway.
        }
    }
}
