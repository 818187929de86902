using Microsoft.AspNetCore.Http;

namespace LogMonitoring.ServiceDefaults.Security;

/// <summary>
/// Takes a request's body bytes from its caller's budget before the endpoint reads the body: the declared
/// <c>Content-Length</c> when there is one; otherwise (chunked) the bytes actually read, charged afterwards.
/// </summary>
internal sealed class IngestByteRateLimitFilter(IngestByteRateLimiter limiter) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var declared = http.Request.ContentLength;
        using (var lease = limiter.TryTake(http, declared ?? 0))
        {
            if (!lease.IsAcquired)
            {
                var limits = limiter.Limits(http);
                return CallerRateLimits.Reject(http, lease, nameof(ApiKeyOptions.BytesPerSecond),
                    $"over the {limits.BytesPerSecond} bytes per second (burst {limits.BurstBytes}) allowed for this API key");
            }
        }

        if (declared is not null)
        {
            return await next(context);
        }

        var body = new ReadCountingStream(http.Request.Body);
        http.Request.Body = body;
        try
        {
            return await next(context);
        }
        finally
        {
            http.Request.Body = body.Inner;
            limiter.Charge(http, body.BytesRead);
        }
    }
}
