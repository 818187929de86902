using LogMonitoring.Kafka.Mock;
using Microsoft.Data.Sqlite;

namespace LogMonitoring.ReliabilityTests.Infrastructure;

/// <summary>
/// The pipeline built from parts a test controls: a mock Kafka cluster in the test process, a SQLite
/// file in a temporary folder, and each service as a plain process (<see cref="ServiceProcess"/>).
/// Each test starts only the services it needs.
/// </summary>
public sealed class ProcessSystem : IAsyncDisposable
{
    private readonly List<ServiceProcess> _services = [];

    /// <param name="storeTimeoutSeconds">How long a store write waits for SQLite's lock before failing.</param>
    public ProcessSystem(int partitions = 4, int storeTimeoutSeconds = 60)
    {
        DataPath = Directory.CreateTempSubdirectory("logmon-rel-").FullName;
        Kafka = new MockKafkaCluster(topics: MockKafkaCluster.PipelineTopics(partitions));
        StoreConnectionString = $"Data Source={DatabaseFile};Default Timeout={storeTimeoutSeconds}";
    }

    public MockKafkaCluster Kafka { get; }

    /// <summary>The one API key every service of this system accepts, with both scopes.</summary>
    public string ApiKey { get; } = $"reliability-{Guid.NewGuid():N}";

    public string DataPath { get; }

    public string DatabaseFile => Path.Combine(DataPath, "logs.db");

    public string StoreConnectionString { get; }

    /// <summary>Ingest told what the mock broker retains, and to look every second, as the AppHost's embedded mode tells it.</summary>
    public ServiceProcess AddIngest(IReadOnlyDictionary<string, string>? settings = null) =>
        Add("Ingest", MockKafkaCluster.IngestLagGateSettings.Concat(settings ?? new Dictionary<string, string>())
            .GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.Last().Value));

    public ServiceProcess AddPersister(IReadOnlyDictionary<string, string>? settings = null)
    {
        var merged = new Dictionary<string, string>
        {
            // Short batches keep a test's wait short; the sizes that matter in production are the defaults.
            ["Persister__BatchWait"] = "00:00:00.100",
            ["Persister__MaxRetryDelay"] = "00:00:01",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            merged[key] = value;
        }

        return Add("Persister", merged);
    }

    public ServiceProcess AddStats(IReadOnlyDictionary<string, string>? settings = null) => Add("Stats", settings);

    private ServiceProcess Add(string project, IReadOnlyDictionary<string, string>? settings)
    {
        var environment = new Dictionary<string, string>
        {
            // Production, as deployed: the APIs require the key below, and the services refuse to start without one.
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ApiKeys__Keys__0__Name"] = "reliability-tests",
            ["ApiKeys__Keys__0__Key"] = ApiKey,
            ["ApiKeys__Keys__0__Scopes__0"] = "logs:write",
            ["ApiKeys__Keys__0__Scopes__1"] = "logs:read",
            // The load the tests drive is bounded by the tests themselves, not by the per-key rate limit.
            ["ApiKeys__Keys__0__RequestsPerSecond"] = "100000",
            ["DOTNET_NOLOGO"] = "1",
            ["ConnectionStrings__kafka"] = Kafka.BootstrapServers,
            ["ConnectionStrings__logstore"] = StoreConnectionString,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__LogMonitoring"] = "Information",
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var service = new ServiceProcess(project, environment);
        service.Client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        _services.Add(service);
        return service;
    }

    /// <summary>A probe of this system's Kafka whose timeouts carry what each persister logged last.</summary>
    public KafkaProbe Probe() => new(Kafka.BootstrapServers, () => string.Join('\n',
        _services.Where(s => s.Name == "Persister").Select((s, i) => $"--- persister {i}, started {s.Starts} time(s), last lines:\n{s.Tail(80)}")));

    /// <summary>Every stored event of one service: its store id and the sequence number the test gave it.</summary>
    public async Task<List<(string Id, long Seq)>> StoredAsync(string service, CancellationToken cancellationToken)
    {
        var stored = new List<(string, long)>();
        if (!File.Exists(DatabaseFile))
        {
            return stored;
        }

        await using var connection = new SqliteConnection($"Data Source={DatabaseFile};Mode=ReadOnly;Pooling=false");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, json_extract(metadata, '$.seq') FROM logs WHERE service = $service";
        command.Parameters.AddWithValue("$service", service);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            stored.Add((reader.GetString(0), reader.IsDBNull(1) ? -1 : reader.GetInt64(1)));
        }

        return stored;
    }

    /// <summary>Polls the store until <paramref name="expected"/> events of the service are there.</summary>
    public async Task<List<(string Id, long Seq)>> WaitForStoredAsync(string service, int expected, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var stored = await StoredAsync(service, cancellationToken);
            if (stored.Count >= expected || clock.Elapsed > timeout)
            {
                return stored;
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }

        Kafka.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // The folder is temporary; a file still held for a moment is left to the OS.
        }
    }
}
