using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Persister.Kafka;

/// <summary>
/// Liveness of one member of the persister group: a member that holds partitions but has stopped moving
/// them is worse than a dead one, because the group does not give its partitions to anyone else. It is
/// seen three ways, each for longer than <see cref="PersisterOptions.StallTimeout"/>: the poll loop has
/// not turned (blocked inside a call), the broker holds messages past the member's position while it
/// consumes nothing (a fetch or rebalance stuck inside the client), or every offset commit fails (a member
/// the coordinator no longer counts, storing what another member will read again). Kubernetes restarts the
/// pod on a failing liveness probe; the replacement joins the group afresh and loses nothing, because
/// offsets are committed only after their batch is stored.
/// </summary>
public sealed class ConsumerProgress(IOptions<PersisterOptions> options, TimeProvider clock) : IHealthCheck
{
    private readonly TimeSpan _stallTimeout = options.Value.StallTimeout;
    // Zero until the poll loop starts: waiting for the store at start-up is readiness's concern, not a stall.
    private long _lastTurn;
    private long _lastConsumed = clock.GetTimestamp();
    private long _waitingSince;
    private long _failingCommitsSince;
    private string? _waiting;

    /// <summary>How long nothing may be consumed before the poll loop asks the broker whether anything waits.</summary>
    public TimeSpan IdleBeforeLook => _stallTimeout / 4;

    /// <summary>True when nothing has been consumed for <see cref="IdleBeforeLook"/>.</summary>
    public bool IsIdle => clock.GetElapsedTime(Interlocked.Read(ref _lastConsumed)) >= IdleBeforeLook;

    public void Turned() => Interlocked.Exchange(ref _lastTurn, clock.GetTimestamp());

    public void Consumed()
    {
        Interlocked.Exchange(ref _lastConsumed, clock.GetTimestamp());
        Interlocked.Exchange(ref _waitingSince, 0);
    }

    /// <summary>The broker holds <paramref name="messages"/> past the position of a partition this member holds, unpaused.</summary>
    public void Waiting(string partition, long messages)
    {
        _waiting = $"{messages} message(s) wait in {partition}";
        Interlocked.CompareExchange(ref _waitingSince, clock.GetTimestamp(), 0);
    }

    /// <summary>Nothing waits (or the partitions are paused on purpose, or none is held).</summary>
    public void NothingWaiting() => Interlocked.Exchange(ref _waitingSince, 0);

    public void CommitSucceeded() => Interlocked.Exchange(ref _failingCommitsSince, 0);

    public void CommitFailed() => Interlocked.CompareExchange(ref _failingCommitsSince, clock.GetTimestamp(), 0);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Stall() is { } stall
            ? HealthCheckResult.Unhealthy($"The consumer has stopped making progress: {stall}")
            : HealthCheckResult.Healthy("The consumer is making progress."));

    private string? Stall()
    {
        if (Interlocked.Read(ref _lastTurn) is var lastTurn and not 0 && clock.GetElapsedTime(lastTurn) > _stallTimeout)
        {
            return $"the poll loop has not turned for {clock.GetElapsedTime(lastTurn):c}";
        }

        if (Interlocked.Read(ref _waitingSince) is var waiting and not 0 && clock.GetElapsedTime(waiting) > _stallTimeout)
        {
            return $"{_waiting}, and nothing has been consumed for {clock.GetElapsedTime(Interlocked.Read(ref _lastConsumed)):c}";
        }

        if (Interlocked.Read(ref _failingCommitsSince) is var failing and not 0 && clock.GetElapsedTime(failing) > _stallTimeout)
        {
            return $"every offset commit has failed for {clock.GetElapsedTime(failing):c}";
        }

        return null;
    }
}
