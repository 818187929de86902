using System.Globalization;
using LogMonitoring.Contracts;
using LogMonitoring.Ingest.Apis;
using LogMonitoring.Ingest.Kafka;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Ingest.Formats;

/// <summary>How a shipper request ended, before it is answered in its clients' terms.</summary>
public enum ShipperOutcome
{
    /// <summary>At least one event was accepted and Kafka acknowledged every accepted event.</summary>
    Delivered,

    /// <summary>The body was read, but every record was refused; nothing was produced.</summary>
    NothingAccepted,

    /// <summary>The body could not be read as the format, or crossed a whole-request limit (400, 413, 415).</summary>
    Refused,

    /// <summary>Too many events wait for Kafka already (429, Retry-After).</summary>
    Overloaded,

    /// <summary>Kafka did not acknowledge the events (503, Retry-After).</summary>
    KafkaUnavailable,
}

/// <summary>The result of one shipper request, with what the format parser returned for per-record answers.</summary>
public sealed record ShipperResult<T>(ShipperOutcome Outcome, int StatusCode, string? Error, LogBatch Batch, T? Parsed)
{
    public bool Retryable => Outcome is ShipperOutcome.Overloaded or ShipperOutcome.KafkaUnavailable;

    /// <summary>The first few rejection reasons, for protocols that carry a single error message.</summary>
    public string DescribeRejections(int max = 5)
    {
        var shown = Batch.Rejected.Take(max).Select(r => $"[{r.Index}] {string.Join("; ", r.Errors)}");
        var more = Batch.Rejected.Count > max ? $" (and {Batch.Rejected.Count - max} more)" : "";
        return string.Join(" | ", shown) + more;
    }
}

/// <summary>
/// The path every shipper format takes, shared with <c>POST /api/logs</c>: the body is read with the same
/// limits and encodings (<see cref="LogRequestBody"/>), each record is converted and validated through the
/// contract (<see cref="ShipperEventWriter"/>), and the accepted events go to Kafka through the same
/// producer, so a 2xx still means Kafka acknowledged every accepted event.
/// </summary>
public sealed partial class ShipperIngestion(
    LogEventReader reader,
    LogEventProducer producer,
    IngestMetrics metrics,
    IOptions<IngestOptions> options,
    TimeProvider time,
    ILogger<ShipperIngestion> logger)
{
    public IngestMetrics Metrics => metrics;

    public LogLimits Limits => reader.Limits;

    public ShipperResult<T> Refuse<T>(int statusCode, string field, string detail)
    {
        metrics.Rejected(1, statusCode switch
        {
            StatusCodes.Status415UnsupportedMediaType => "media_type",
            StatusCodes.Status413PayloadTooLarge => "too_large",
            _ => "malformed",
        });
        return new ShipperResult<T>(ShipperOutcome.Refused, statusCode, $"{field}: {detail}", new LogBatch(), default);
    }

    /// <param name="format">The format's name, for logs.</param>
    /// <param name="parse">Reads the decompressed body into events; throws <see cref="ShipperBodyException"/> for a body it cannot read.</param>
    public async Task<ShipperResult<T>> IngestAsync<T>(HttpContext context, string format, Func<ReadOnlyMemory<byte>, ShipperEventWriter, T> parse)
    {
        LogRequestBody.ApplyBodySizeLimit(context, reader.Limits.MaxBodyBytes);
        var (buffer, length, readError) = await LogRequestBody.ReadAsync(context.Request, reader.Limits.MaxBodyBytes, context.RequestAborted);
        if (readError is not null)
        {
            return Refuse<T>(readError.StatusCode, readError.Field, readError.Detail);
        }

        using var events = new ShipperEventWriter(reader, time.GetUtcNow().UtcDateTime);
        T parsed;
        try
        {
            parsed = parse(buffer.AsMemory(0, length), events);
        }
        catch (ShipperBodyException ex)
        {
            return Refuse<T>(ex.StatusCode, ex.Field, ex.Detail);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is System.Text.DecoderFallbackException || ex.Message.Contains("UTF", StringComparison.Ordinal))
        {
            // System.Text.Json reports text it cannot transcode only when a string is read.
            return Refuse<T>(StatusCodes.Status400BadRequest, "body", $"holds text that is not valid UTF-8 or UTF-16: {ex.Message}");
        }
        finally
        {
            LogRequestBody.Return(buffer);
        }

        var batch = events.Batch;
        metrics.Received(batch.Total);
        if (batch.Rejected.Count > 0)
        {
            metrics.Rejected(batch.Rejected.Count, "invalid");
            LogRejected(format, batch.Rejected.Count, batch.Total, string.Join("; ", batch.Rejected[0].Errors));
        }

        if (batch.Accepted.Count == 0)
        {
            return new ShipperResult<T>(ShipperOutcome.NothingAccepted, StatusCodes.Status400BadRequest, "no valid log event", batch, parsed);
        }

        var produced = await producer.ProduceAsync(batch.Accepted);
        switch (produced.Status)
        {
            case ProduceStatus.Delivered:
                metrics.Accepted(batch.Accepted.Count);
                return new ShipperResult<T>(ShipperOutcome.Delivered, StatusCodes.Status200OK, null, batch, parsed);
            case ProduceStatus.Overloaded:
                metrics.Rejected(batch.Accepted.Count, "overloaded");
                SetRetryAfter(context);
                return new ShipperResult<T>(ShipperOutcome.Overloaded, StatusCodes.Status429TooManyRequests, produced.Error, batch, parsed);
            default:
                metrics.Rejected(batch.Accepted.Count, "kafka_unavailable");
                SetRetryAfter(context);
                return new ShipperResult<T>(ShipperOutcome.KafkaUnavailable, StatusCodes.Status503ServiceUnavailable,
                    $"Kafka did not acknowledge the events; retry the whole request. {produced.Error}", batch, parsed);
        }
    }

    private void SetRetryAfter(HttpContext context) =>
        context.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Format}: refused {Rejected} of {Total} record(s); first: {FirstError}")]
    private partial void LogRejected(string format, int rejected, int total, string firstError);
}
