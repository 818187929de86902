using System.Net;
using System.Text;
using LogMonitoring.ReliabilityTests.Infrastructure;

namespace LogMonitoring.ReliabilityTests;

/// <summary>
/// Ingest, persister and stats as processes, shared by the bad-input corpus, with a few stored events
/// whose messages hold the characters hostile search patterns are made of.
/// </summary>
public sealed class BadInputSystem : IAsyncLifetime
{
    public const string Service = "rel-corpus";

    /// <summary>Messages stored before the corpus runs; search patterns are checked against them literally.</summary>
    public static readonly string[] SeededMessages =
    [
        "job finished 100% done",
        "literal (a+)+$ in a message",
        "under_score and back\\slash",
        "plain text",
    ];

    private ProcessSystem _system = null!;

    public ServiceProcess Ingest { get; private set; } = null!;

    public ServiceProcess Stats { get; private set; } = null!;

    public ServiceProcess Persister { get; private set; } = null!;

    /// <summary>The body limit the corpus runs with: small, so "over the limit" costs a megabyte, not sixteen.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _system = new ProcessSystem(partitions: 1);
        Ingest = _system.AddIngest(new Dictionary<string, string> { ["LogLimits__MaxBodyBytes"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Stats = _system.AddStats();
        Persister = _system.AddPersister();
        var startup = TimeSpan.FromSeconds(60);
        await Task.WhenAll(Ingest.StartHealthyAsync(startup, ct), Stats.StartHealthyAsync(startup, ct), Persister.StartHealthyAsync(startup, ct));

        var ndjson = string.Join('\n', SeededMessages.Select(m =>
            System.Text.Json.JsonSerializer.Serialize(new { level = "INFO", service = Service, message = m })));
        using var response = await Ingest.Client.PostAsync("/api/logs", new StringContent(ndjson, Encoding.UTF8, "application/x-ndjson"), ct);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"seeding failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }

        await _system.WaitForStoredAsync(Service, SeededMessages.Length, TimeSpan.FromSeconds(60), ct);
    }

    public async ValueTask DisposeAsync() => await _system.DisposeAsync();
}
