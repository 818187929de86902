using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LogMonitoring.ServiceDefaults.Security;

/// <summary>The limits that apply to one caller: an API key by its name, or a client address when the APIs are open.</summary>
public sealed record CallerLimits(string Partition, int RequestsPerSecond, int BytesPerSecond, int BurstBytes)
{
    public static CallerLimits For(HttpContext context, ApiKeyOptions options)
    {
        var name = context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : null;
        if (name is null)
        {
            return new CallerLimits($"ip:{context.Connection.RemoteIpAddress}", options.AnonymousRequestsPerSecond,
                (int)options.BytesPerSecond, (int)options.BurstBytes);
        }

        var key = options.Keys.FirstOrDefault(k => k.Name == name);
        return new CallerLimits($"key:{name}",
            key?.RequestsPerSecond ?? options.RequestsPerSecond,
            (int)(key?.BytesPerSecond ?? options.BytesPerSecond),
            (int)(key?.BurstBytes ?? options.BurstBytes));
    }
}

/// <summary>
/// Per-caller rate limits, from ASP.NET Core's rate limiter (System.Threading.RateLimiting token buckets):
/// every API endpoint takes a request-rate guard that only a flood meets (<see cref="ApiKeyOptions.RequestsPerSecond"/>);
/// ingest endpoints also take a byte budget per key (<see cref="ApiKeyOptions.BytesPerSecond"/> with a burst of
/// <see cref="ApiKeyOptions.BurstBytes"/>), since what a log sender costs is what it sends, not how it batches.
/// Both answer 429 with <c>Retry-After</c> and a problem naming the setting to raise.
/// </summary>
public static class CallerRateLimits
{
    public const string RequestPolicy = "per-caller";

    internal const string ValidationMessage =
        "ApiKeys: RequestsPerSecond, AnonymousRequestsPerSecond, BytesPerSecond and BurstBytes (also per key) must be from 1 to 2147483647.";

    internal static IServiceCollection AddCallerRateLimits(this IServiceCollection services)
    {
        services.AddSingleton<IngestByteRateLimiter>();
        return services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(RequestPolicy, context =>
            {
                var caller = CallerLimits.For(context, context.RequestServices.GetRequiredService<IOptionsMonitor<ApiKeyOptions>>().CurrentValue);
                // The rate is part of the partition, so a changed setting takes effect without a restart.
                return RateLimitPartition.GetTokenBucketLimiter($"{caller.Partition}|{caller.RequestsPerSecond}", _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = (int)Math.Min(int.MaxValue, caller.RequestsPerSecond * 2L),
                    TokensPerPeriod = caller.RequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                });
            });
            options.OnRejected = async (context, _) => await Reject(context.HttpContext, context.Lease,
                nameof(ApiKeyOptions.RequestsPerSecond), "over the request rate allowed for this API key").ExecuteAsync(context.HttpContext);
        });
    }

    /// <summary>The request-rate guard and the byte budget, for endpoints that take logs.</summary>
    public static TBuilder RequireIngestRateLimits<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(RequestPolicy).AddEndpointFilter<TBuilder, IngestByteRateLimitFilter>();

    internal static bool AreValid(ApiKeyOptions options) =>
        new long[] { options.RequestsPerSecond, options.AnonymousRequestsPerSecond, options.BytesPerSecond, options.BurstBytes }
            .Concat(options.Keys.SelectMany(k => new[] { k.RequestsPerSecond ?? 1L, k.BytesPerSecond ?? 1L, k.BurstBytes ?? 1L }))
            .All(value => value is >= 1 and <= int.MaxValue);

    /// <summary>429 with Retry-After, as problem details naming the setting (under <c>ApiKeys</c>) that was met.</summary>
    internal static IResult Reject(HttpContext context, RateLimitLease lease, string setting, string reason)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        return Results.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Rate limit exceeded",
            detail: $"caller: {reason} (ApiKeys:{setting}); retry after {retryAfter} s",
            extensions: new Dictionary<string, object?> { ["field"] = "caller", ["limit"] = $"ApiKeys:{setting}" });
    }
}
