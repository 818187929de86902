namespace LogMonitoring.Storage.Search;

/// <summary>A search ran past <see cref="SearchOptions.QueryTimeout"/> and was stopped by the store.</summary>
public sealed class LogSearchTimeoutException(TimeSpan timeout, Exception? inner = null)
    : Exception($"The query ran longer than {timeout.TotalSeconds:0.#} s and was stopped; narrow the time range or the query.", inner)
{
    public TimeSpan Timeout { get; } = timeout;
}
