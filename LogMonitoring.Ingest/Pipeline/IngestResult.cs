using LogMonitoring.Contracts;

namespace LogMonitoring.Ingest.Pipeline;

/// <summary>How an ingest request ended, before each format answers it in its clients' terms.</summary>
public enum IngestOutcome
{
    /// <summary>At least one event was accepted and Kafka acknowledged every accepted event.</summary>
    Delivered,

    /// <summary>The body was read, but every record was refused; nothing was produced.</summary>
    NothingAccepted,

    /// <summary>The request was refused as a whole (400, 413, 415): see <see cref="IngestResult{T}.Refusal"/>.</summary>
    Refused,

    /// <summary>Too many events wait for Kafka already (429, Retry-After).</summary>
    Overloaded,

    /// <summary>Kafka did not acknowledge the events (503, Retry-After).</summary>
    KafkaUnavailable,
}

/// <summary>The result of one ingest request, with what the format's parser returned for per-record answers.</summary>
/// <param name="ProduceError">Why Kafka did not take the events (Overloaded, KafkaUnavailable).</param>
public sealed record IngestResult<T>(IngestOutcome Outcome, int StatusCode, IngestRefusal? Refusal, string? ProduceError, LogBatch Batch, T? Parsed)
{
    /// <summary>One line for protocols that carry a single error message.</summary>
    public string? Error => Outcome switch
    {
        IngestOutcome.Refused => Refusal!.ToString(),
        IngestOutcome.NothingAccepted => "no valid log event",
        IngestOutcome.Overloaded => ProduceError,
        IngestOutcome.KafkaUnavailable => $"Kafka did not acknowledge the events; retry the whole request. {ProduceError}",
        _ => null,
    };

    /// <summary>The first few rejection reasons, for protocols that carry a single error message.</summary>
    public string DescribeRejections(int max = 5)
    {
        var shown = Batch.Rejected.Take(max).Select(r => $"[{r.Index}] {string.Join("; ", r.Errors)}");
        var more = Batch.Rejected.Count > max ? $" (and {Batch.Rejected.Count - max} more)" : "";
        return string.Join(" | ", shown) + more;
    }
}
