using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LogMonitoring.RepositoryTests.Docs;

/// <summary>
/// Ingest and stats hosted in the test process, only long enough to read their OpenAPI documents: the
/// documents are generated from the mapped endpoints, so nothing has to answer behind them. Ingest gets a
/// bootstrap address nobody listens on (its producer connects lazily); stats gets a SQLite file of its own.
/// </summary>
public sealed class ServiceOpenApi : IAsyncLifetime
{
    private readonly string _databaseFolder = Directory.CreateTempSubdirectory("logmon-docs-").FullName;

    public JsonDocument Ingest { get; private set; } = null!;

    public JsonDocument Stats { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        // Any type of a service assembly names its entry point; 'Program' alone is ambiguous between the services.
        await using (var ingest = new WebApplicationFactory<LogMonitoring.Ingest.IngestOptions>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:kafka", "127.0.0.1:9");
            UseDocsKey(web);
        }))
        {
            Ingest = await ReadDocumentAsync(ingest.CreateClient());
        }

        await using var stats = new WebApplicationFactory<LogMonitoring.Stats.StatsOptions>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:logstore", $"Data Source={Path.Combine(_databaseFolder, "logs.db")}");
            UseDocsKey(web);
        });
        Stats = await ReadDocumentAsync(stats.CreateClient());
    }

    /// <summary>Every (method, path) pair a document declares, e.g. ("GET", "/api/logs").</summary>
    public static HashSet<(string Method, string Path)> Operations(JsonDocument document)
    {
        var operations = new HashSet<(string, string)>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                operations.Add((operation.Name.ToUpperInvariant(), path.Name));
            }
        }

        return operations;
    }

    private static void UseDocsKey(IWebHostBuilder web)
    {
        web.UseSetting("ApiKeys:Keys:0:Name", "docs-tests");
        web.UseSetting("ApiKeys:Keys:0:Key", "docs-tests-key");
        web.UseSetting("ApiKeys:Keys:0:Scopes:0", "logs:read");
    }

    private static async Task<JsonDocument> ReadDocumentAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    public ValueTask DisposeAsync()
    {
        Ingest?.Dispose();
        Stats?.Dispose();
        try
        {
            Directory.Delete(_databaseFolder, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold the file a moment after the host stopped; the temp folder is cleaned up eventually.
        }

        return ValueTask.CompletedTask;
    }
}
