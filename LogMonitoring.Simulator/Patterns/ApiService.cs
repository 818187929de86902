using LogMonitoring.Contracts;

namespace LogMonitoring.Simulator.Patterns;

/// <summary>
/// An HTTP API: one access log per request (method, path, status, latency, user), mostly 2xx, some
/// 4xx, occasional 5xx; slow requests are warnings; now and then a debug line about the cache.
/// </summary>
public sealed class ApiService : SimulatedService
{
    public const string ServiceName = "api-service";

    private static readonly WeightedChoice<string> s_methods = new(("GET", 60), ("POST", 25), ("PUT", 8), ("DELETE", 7));

    private static readonly string[] s_paths = ["/api/orders/{0}", "/api/users/{0}", "/api/products", "/api/cart/{0}/items", "/api/search", "/api/orders"];

    internal static readonly WeightedChoice<int> Statuses = new(
        (200, 78), (201, 6), (204, 3), (400, 4), (401, 2), (404, 5), (429, 0.5), (500, 1), (502, 0.25), (503, 0.25));

    private static readonly WeightedChoice<int> s_failureStatuses = new((500, 60), (502, 20), (503, 15), (504, 5));

    public override string Name => ServiceName;

    public override SimulatedLog Normal(Random random)
    {
        if (random.NextDouble() < 0.05)
        {
            return new SimulatedLog(LogEventLevel.Debug, $"Cache {(random.NextDouble() < 0.8 ? "hit" : "miss")} for product catalogue page {random.Next(1, 40)}",
                new Dictionary<string, object> { ["cache"] = "catalogue", ["page"] = random.Next(1, 40) });
        }

        return Request(random, Statuses.Pick(random));
    }

    public override SimulatedLog Failure(Random random) => Request(random, s_failureStatuses.Pick(random));

    private static SimulatedLog Request(Random random, int status)
    {
        var method = s_methods.Pick(random);
        var template = s_paths[random.Next(s_paths.Length)];
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, random.Next(1, 50_000));
        // Most requests are quick; a long tail is slow, and failures are slow more often.
        var latency = (int)Math.Min(30_000, Math.Exp(3.2 + (random.NextDouble() * 2.2) + (status >= 500 ? 2 : 0)) + random.Next(0, 5));
        var level = status >= 500 ? LogEventLevel.Error
            : status >= 400 || latency > 1000 ? LogEventLevel.Warn
            : LogEventLevel.Info;
        var message = status >= 500
            ? $"{method} {path} failed with {status} after {latency} ms"
            : $"{method} {path} {status} {latency} ms";
        return new SimulatedLog(level, message, new Dictionary<string, object>
        {
            ["method"] = method,
            ["path"] = path,
            // The endpoint without its ids, for counting by endpoint (route:"/api/orders/{id}").
            ["route"] = template.Replace("{0}", "{id}", StringComparison.Ordinal),
            ["status"] = status,
            ["latency_ms"] = latency,
            ["user_id"] = UserId(random),
            ["request_id"] = ShortId(random),
        });
    }
}
