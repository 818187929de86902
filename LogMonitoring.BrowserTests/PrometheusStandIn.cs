using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LogMonitoring.BrowserTests;

/// <summary>
/// Prometheus' instant-query API (<c>GET /api/v1/query</c>) answering with known values, so the services
/// page's pipeline figures can be compared with what was served. The AppHost's own Prometheus listens on
/// the fixed port 9090 and scrapes live traffic, so its figures could be neither isolated nor predicted.
/// A figure is chosen by the metric the query reads; a query for any other metric is refused as Prometheus
/// refuses bad expressions, so a page asking for a series the rules do not use shows up as an error.
/// </summary>
public sealed class PrometheusStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _queries = new();
    private volatile bool _answering = true;

    private PrometheusStandIn(WebApplication app) => _app = app;

    /// <summary>The value served for each metric, as the page should show it.</summary>
    public static IReadOnlyDictionary<string, double> Values { get; } = new Dictionary<string, double>
    {
        ["logmon_ingest_events_accepted_total"] = 1234.5,
        ["logmon_persister_consumer_lag"] = 4321,
        ["logmon_stats_freshness_lag_seconds"] = 7,
        ["logmon_persister_events_dead_lettered_total"] = 3,
        ["logmon_persister_events_lost_total"] = 2,
    };

    public Uri Url { get; private set; } = null!;

    /// <summary>Every expression asked for, in order.</summary>
    public IReadOnlyCollection<string> Queries => _queries;

    /// <summary>False: every connection is dropped without an answer, as when Prometheus is down.</summary>
    public bool Answering
    {
        get => _answering;
        set => _answering = value;
    }

    public static async Task<PrometheusStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new PrometheusStandIn(app);
        app.Use(async (context, next) =>
        {
            if (!standIn.Answering)
            {
                context.Abort();
                return;
            }

            await next(context);
        });
        app.MapGet("/api/v1/query", (string query) => standIn.Answer(query));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        standIn.Url = new Uri(address);
        return standIn;
    }

    private IResult Answer(string query)
    {
        _queries.Enqueue(query);
        var metric = Values.Keys.Where(query.Contains).ToList();
        if (metric.Count != 1)
        {
            return Results.Json(new { status = "error", errorType = "bad_data", error = $"no known series in {query}" }, statusCode: 400);
        }

        // A one-series vector, as Prometheus answers sum(...) and max(...): [unix time, "value as text"].
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var value = Values[metric[0]].ToString(CultureInfo.InvariantCulture);
        return Results.Json(new
        {
            status = "success",
            data = new { resultType = "vector", result = new[] { new { metric = new { }, value = new object[] { now, value } } } },
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
