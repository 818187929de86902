using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace LogMonitoring.ServiceDefaults.Security;

/// <summary>
/// A token bucket of bytes per caller (System.Threading.RateLimiting), refilled ten times a second so
/// a steady sender never waits for a whole second's refill.
/// </summary>
public sealed class IngestByteRateLimiter : IDisposable
{
    private static readonly TimeSpan s_refillPeriod = TimeSpan.FromMilliseconds(100);
    private readonly IOptionsMonitor<ApiKeyOptions> _options;
    private readonly PartitionedRateLimiter<HttpContext> _limiter;

    public IngestByteRateLimiter(IOptionsMonitor<ApiKeyOptions> options)
    {
        _options = options;
        _limiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            var caller = Limits(context);
            return RateLimitPartition.GetTokenBucketLimiter($"{caller.Partition}|{caller.BytesPerSecond}|{caller.BurstBytes}", _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = caller.BurstBytes,
                TokensPerPeriod = Math.Max(1, caller.BytesPerSecond / 10),
                ReplenishmentPeriod = s_refillPeriod,
                QueueLimit = 0,
            });
        });
    }

    public CallerLimits Limits(HttpContext context) => CallerLimits.For(context, _options.CurrentValue);

    /// <summary>
    /// Takes <paramref name="bytes"/> from the caller's bucket. A body larger than the whole bucket takes
    /// all of it (it passes after a quiet spell rather than never); 0 asks whether the bucket is empty.
    /// </summary>
    public RateLimitLease TryTake(HttpContext context, long bytes) =>
        _limiter.AttemptAcquire(context, (int)Math.Min(bytes, Limits(context).BurstBytes));

    /// <summary>
    /// Charges bytes that were read without a declared length (chunked bodies), as far as the bucket
    /// holds them: the caller's next request waits for the refill.
    /// </summary>
    public void Charge(HttpContext context, long bytes)
    {
        var available = _limiter.GetStatistics(context)?.CurrentAvailablePermits ?? 0;
        using var lease = _limiter.AttemptAcquire(context, (int)Math.Min(bytes, available));
    }

    public void Dispose() => _limiter.Dispose();
}
