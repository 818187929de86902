using LogMonitoring.Storage.MongoDb;
using LogMonitoring.Storage.Sqlite;
using LogMonitoring.Storage.Search;
using LogMonitoring.Storage.Statistics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace LogMonitoring.Storage;

public static class LogStoreExtensions
{
    public const string ConnectionStringName = "logstore";

    /// <summary>
    /// Registers the store named by <c>ConnectionStrings:logstore</c>: <c>mongodb://</c> (or
    /// <c>mongodb+srv://</c>) selects MongoDB, <c>Data Source=…</c> the embedded SQLite file. The schema
    /// is created at start-up, and readiness waits for it.
    /// </summary>
    public static IHostApplicationBuilder AddLogStore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(r => { r.Validate(); return true; })
            .ValidateOnStart();
        builder.Services.AddOptions<SearchOptions>().BindConfiguration(SearchOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(s => { s.Validate(); return true; })
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => Create(sp.GetRequiredService<IConfiguration>()));
        builder.Services.AddSingleton(sp => (ILogSearch)sp.GetRequiredService<ILogStore>());
        // Both stores keep their statistics beside the logs.
        builder.Services.AddSingleton(sp => (ILogStatistics)sp.GetRequiredService<ILogStore>());
        builder.Services.AddSingleton<LogStoreInitializer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LogStoreInitializer>());
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "logstore",
            sp => new LogStoreHealthCheck(sp.GetRequiredService<ILogStore>(), sp.GetRequiredService<LogStoreInitializer>()),
            HealthStatus.Unhealthy,
            ["logstore"],
            TimeSpan.FromSeconds(5)));
        return builder;
    }

    public static ILogStore Create(IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not set. Run the service from the AppHost, or set ConnectionStrings__{ConnectionStringName} to a mongodb:// URL or a SQLite 'Data Source=' string.");
        }

        var retention = configuration.GetSection(RetentionOptions.SectionName).Get<RetentionOptions>() ?? new RetentionOptions();
        var search = configuration.GetSection(SearchOptions.SectionName).Get<SearchOptions>() ?? new SearchOptions();
        return Create(connectionString, retention, search);
    }

    public static ILogStore Create(string connectionString, RetentionOptions? retention = null, SearchOptions? search = null) =>
        connectionString.StartsWith("mongodb://", StringComparison.OrdinalIgnoreCase) ||
        connectionString.StartsWith("mongodb+srv://", StringComparison.OrdinalIgnoreCase)
            ? new MongoLogStore(connectionString, retention) { Search = search ?? new SearchOptions() }
            : connectionString.Contains("Data Source", StringComparison.OrdinalIgnoreCase)
                ? new SqliteLogStore(connectionString) { Search = search ?? new SearchOptions() }
                : throw new InvalidOperationException(
                    $"ConnectionStrings:{ConnectionStringName} is neither a mongodb:// URL nor a SQLite 'Data Source=' string.");
}
