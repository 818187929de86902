using LogMonitoring.Contracts;
using LogMonitoring.Persister.Batches;
using Microsoft.Extensions.Logging.Abstractions;
using static LogMonitoring.Tests.Persister.TopicMessages;

namespace LogMonitoring.Tests.Persister;

/// <summary>Parse → dead-letter → store, with store failures sorted into permanent (one event) and transient (the store).</summary>
public sealed class LogBatchWriterTests : IAsyncLifetime, IDisposable
{
    private readonly FaultyStore _store = new();
    private readonly RecordingDeadLetters _deadLetters = new();
    private readonly PersisterMetricsProbe _metrics = new();
    private readonly LogBatchWriter _writer;

    public LogBatchWriterTests()
    {
        _writer = new LogBatchWriter(_store, new LogEventReader(new LogLimits()), _deadLetters, _metrics.Metrics, NullLogger<LogBatchWriter>.Instance);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await _store.InitializeAsync(Ct);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public void Dispose()
    {
        _store.Dispose();
        _metrics.Dispose();
    }

    private static PendingBatch Batch(params string?[] messages)
    {
        var batch = new PendingBatch();
        for (var i = 0; i < messages.Length; i++)
        {
            batch.Add(At(i, messages[i]));
        }

        return batch;
    }

    [Fact]
    public async Task An_event_the_store_refuses_is_dead_lettered_and_the_rest_of_the_batch_is_stored()
    {
        var batch = Batch(Event(0), Event(1, "poison"), Event(2), "not json", Event(3));

        var outcome = await _writer.WriteAsync(batch, Ct);

        Assert.True(outcome.Succeeded, outcome.Failure);
        Assert.Equal(["api e0 event 0", "api e2 event 2", "api e3 event 3"], (await _store.AllAsync()).Select(e => $"{e.Service} {e.SourceId} {e.Message}").Order());
        Assert.Equal([1L, 3L], _deadLetters.Sent.Select(s => s.Offset).Order());
        Assert.StartsWith("store: document refused", _deadLetters.Sent.Single(s => s.Offset == 1).Reason, StringComparison.Ordinal);
        Assert.Equal(3, _metrics.Total("logmon.persister.events.written"));
        Assert.Equal(2, _metrics.Total("logmon.persister.events.dead_lettered"));
    }

    [Fact]
    public async Task A_store_that_is_away_fails_the_batch_and_a_retry_dead_letters_nothing_twice()
    {
        var batch = Batch(Event(0), "not json", Event(2, "poison"), Event(3));
        _store.FailNext(2);

        var first = await _writer.WriteAsync(batch, Ct);
        var second = await _writer.WriteAsync(batch, Ct);
        var third = await _writer.WriteAsync(batch, Ct);

        Assert.StartsWith("store: ", first.Failure, StringComparison.Ordinal);
        Assert.False(second.Succeeded);
        Assert.True(third.Succeeded, third.Failure);
        Assert.Equal([1L, 2L], _deadLetters.Sent.Select(s => s.Offset).Order());
        Assert.Equal(2, (await _store.AllAsync()).Count);
        Assert.Equal(2, _metrics.Total("logmon.persister.store.errors"));
    }

    [Fact]
    public async Task A_dead_letter_topic_that_is_away_fails_the_batch_counted_and_the_retry_sends_each_dead_letter_once()
    {
        var batch = Batch("not json", Event(1), "{}", Event(3, "poison"));
        _deadLetters.FailNext(1);

        var first = await _writer.WriteAsync(batch, Ct);

        Assert.StartsWith("dead-letter topic: ", first.Failure, StringComparison.Ordinal);
        Assert.Single(_deadLetters.Sent);
        Assert.Equal(1, _metrics.Total("logmon.persister.dead_letter.errors"));
        Assert.Empty(await _store.AllAsync());

        var second = await _writer.WriteAsync(batch, Ct);

        Assert.True(second.Succeeded, second.Failure);
        Assert.Equal([0L, 2L, 3L], _deadLetters.Sent.Select(s => s.Offset).Order());
        Assert.Equal("e1", Assert.Single(await _store.AllAsync()).SourceId);
    }

    [Fact]
    public async Task A_refusal_the_dead_letter_topic_does_not_take_is_retried_while_what_was_stored_counts_as_duplicates()
    {
        var batch = Batch(Event(0), Event(1, "poison"));
        _deadLetters.FailNext(1);

        Assert.False((await _writer.WriteAsync(batch, Ct)).Succeeded);
        Assert.True((await _writer.WriteAsync(batch, Ct)).Succeeded);

        Assert.Equal(1L, Assert.Single(_deadLetters.Sent).Offset);
        Assert.Single(await _store.AllAsync());
        Assert.Equal(1, _metrics.Total("logmon.persister.events.duplicate"));
    }
}
