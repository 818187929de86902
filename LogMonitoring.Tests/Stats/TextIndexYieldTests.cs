using LogMonitoring.Stats.Rollups;
using LogMonitoring.Storage.Search;

namespace LogMonitoring.Tests.Stats;

/// <summary>When the text index leaves the write lock to the persisters: only while they are behind, and only so far.</summary>
public sealed class TextIndexYieldTests
{
    private static readonly DateTime Now = new(2026, 12, 8, 12, 0, 0, DateTimeKind.Utc);
    private readonly TextIndexYield _yield = new(yieldAfter: TimeSpan.FromSeconds(1), maxBehind: 1_000_000);

    private static TextIndexBacklog Newest(TimeSpan waited, TimeSpan storedAgo, long behind = 50_000) =>
        new(behind, Now - storedAgo - waited, Now - storedAgo);

    [Fact]
    public void Yields_while_the_newest_log_waited_longer_than_the_limit_and_was_stored_just_now() =>
        Assert.True(_yield.ShouldYield(Newest(waited: TimeSpan.FromSeconds(4), storedAgo: TimeSpan.FromMilliseconds(200)), Now));

    [Fact]
    public void Indexes_while_the_persisters_keep_up() =>
        Assert.False(_yield.ShouldYield(Newest(waited: TimeSpan.FromMilliseconds(300), storedAgo: TimeSpan.FromMilliseconds(200)), Now));

    [Fact]
    public void Indexes_once_the_persisters_have_stored_nothing_for_a_while_however_long_their_last_log_waited() =>
        Assert.False(_yield.ShouldYield(Newest(waited: TimeSpan.FromMinutes(5), storedAgo: TextIndexYield.WritersQuietAfter), Now));

    [Fact]
    public void Indexes_however_far_behind_the_persisters_are_once_the_most_logs_wait_for_the_index() =>
        Assert.False(_yield.ShouldYield(Newest(waited: TimeSpan.FromSeconds(4), storedAgo: TimeSpan.Zero, behind: 1_000_000), Now));

    [Fact]
    public void Indexes_when_the_newest_log_carries_no_receive_time() =>
        Assert.False(_yield.ShouldYield(new TextIndexBacklog(50_000, NewestReceivedAt: null, NewestStoredAt: Now), Now));

    [Fact]
    public void Never_yields_when_configured_not_to() =>
        Assert.False(new TextIndexYield(TimeSpan.Zero, 1_000_000).ShouldYield(Newest(waited: TimeSpan.FromMinutes(1), storedAgo: TimeSpan.Zero), Now));
}
