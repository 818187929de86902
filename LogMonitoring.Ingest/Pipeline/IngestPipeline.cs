using System.Globalization;
using LogMonitoring.Contracts;
using LogMonitoring.Ingest.Kafka;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Ingest.Pipeline;

/// <summary>
/// The one path every format takes, <c>POST /api/logs</c> included: the body is read with the same limits
/// and encodings (<see cref="RequestBody"/>), the format turns it into events through the contract
/// (<see cref="LogEventBatchBuilder"/>), the accepted events go to Kafka through the one producer, so a
/// 2xx always means Kafka acknowledged every accepted event, and every step is counted per format.
/// </summary>
public sealed partial class IngestPipeline(
    LogEventReader reader,
    LogEventProducer producer,
    RetentionHeadroom headroom,
    IngestMetrics metrics,
    IOptions<IngestOptions> options,
    TimeProvider time,
    ILogger<IngestPipeline> logger)
{
    public LogLimits Limits => reader.Limits;

    /// <summary>Refuses a request before its body is read (a media type the format does not take).</summary>
    public IngestResult<T> Refuse<T>(string format, IngestRefusal refusal) => Refused<T>(format, refusal, new LogBatch());

    /// <param name="format">The format's name: the <c>format</c> label of the metrics, and in logs.</param>
    /// <param name="parse">Reads the decompressed body into events; throws <see cref="IngestBodyException"/> for a body it cannot read.</param>
    public async Task<IngestResult<T>> IngestAsync<T>(HttpContext context, string format, Func<ReadOnlyMemory<byte>, LogEventBatchBuilder, T> parse)
    {
        if (headroom.Refusal is { } lagging)
        {
            // Refused before the body is read: while the persisters are behind, parsing requests only to refuse them
            // spent the cores they needed to catch up. Its events are not counted, so like any request refused
            // unread it counts once.
            metrics.Rejected(1, "consumer_lag", format);
            SetRetryAfter(context);
            return new IngestResult<T>(IngestOutcome.Overloaded, StatusCodes.Status429TooManyRequests, null, lagging, new LogBatch(), default);
        }

        RequestBody.ApplySizeLimit(context, reader.Limits.MaxBodyBytes);
        var (buffer, length, readError) = await RequestBody.ReadAsync(context.Request, reader.Limits.MaxBodyBytes, context.RequestAborted);
        if (readError is not null)
        {
            return Refuse<T>(format, readError);
        }

        using var events = new LogEventBatchBuilder(reader, time.GetUtcNow().UtcDateTime);
        T parsed;
        try
        {
            parsed = parse(buffer.AsMemory(0, length), events);
        }
        catch (IngestBodyException ex)
        {
            return Refused<T>(format, ex.Refusal, events.Batch);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is System.Text.DecoderFallbackException || ex.Message.Contains("UTF", StringComparison.Ordinal))
        {
            // System.Text.Json reports text it cannot transcode only when a string is read.
            return Refused<T>(format, new IngestRefusal(LogEventErrorCodes.InvalidText, "body", $"holds text that is not valid UTF-8 or UTF-16: {ex.Message}"), events.Batch);
        }
        finally
        {
            RequestBody.Return(buffer);
        }

        var batch = events.Batch;
        metrics.Received(batch.Total, format);
        if (batch.Rejected.Count > 0)
        {
            metrics.Rejected(batch.Rejected.Count, "invalid", format);
            LogRejected(format, batch.Rejected.Count, batch.Total, string.Join("; ", batch.Rejected[0].Errors));
        }

        if (batch.Accepted.Count == 0)
        {
            return new IngestResult<T>(IngestOutcome.NothingAccepted, StatusCodes.Status400BadRequest, null, null, batch, parsed);
        }

        if (headroom.Refusal is { } closedMeanwhile)
        {
            metrics.Rejected(batch.Accepted.Count, "consumer_lag", format);
            SetRetryAfter(context);
            return new IngestResult<T>(IngestOutcome.Overloaded, StatusCodes.Status429TooManyRequests, null, closedMeanwhile, batch, parsed);
        }

        var produced = await producer.ProduceAsync(batch.Accepted);
        switch (produced.Status)
        {
            case ProduceStatus.Delivered:
                metrics.Accepted(batch.Accepted.Count, format);
                return new IngestResult<T>(IngestOutcome.Delivered, StatusCodes.Status200OK, null, null, batch, parsed);
            case ProduceStatus.Overloaded:
                metrics.Rejected(batch.Accepted.Count, "overloaded", format);
                SetRetryAfter(context);
                return new IngestResult<T>(IngestOutcome.Overloaded, StatusCodes.Status429TooManyRequests, null, produced.Error, batch, parsed);
            default:
                metrics.Rejected(batch.Accepted.Count, "kafka_unavailable", format);
                SetRetryAfter(context);
                return new IngestResult<T>(IngestOutcome.KafkaUnavailable, StatusCodes.Status503ServiceUnavailable, null, produced.Error, batch, parsed);
        }
    }

    /// <summary>Counts the answer by status code and format, and returns it.</summary>
    public IResult Answer(string format, int statusCode, IResult result)
    {
        Answered(format, statusCode);
        return result;
    }

    /// <summary>Counts an answer by status code and format.</summary>
    public void Answered(string format, int statusCode) => metrics.Request(statusCode, format);

    // The events read before the body turned out unreadable are refused with it.
    private IngestResult<T> Refused<T>(string format, IngestRefusal refusal, LogBatch batch)
    {
        metrics.Rejected(Math.Max(1, batch.Total), refusal.MetricReason, format);
        return new IngestResult<T>(IngestOutcome.Refused, refusal.StatusCode, refusal, null, batch, default);
    }

    private void SetRetryAfter(HttpContext context) =>
        context.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Format}: refused {Rejected} of {Total} record(s); first: {FirstError}")]
    private partial void LogRejected(string format, int rejected, int total, string firstError);
}
