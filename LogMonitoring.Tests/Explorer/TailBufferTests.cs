using LogMonitoring.Explorer.Live;
using LogMonitoring.Explorer.StatsApi;

namespace LogMonitoring.Tests.Explorer;

/// <summary>The live tail's memory is bounded however fast logs arrive, and the newest are the ones kept.</summary>
public sealed class TailBufferTests
{
    private static LogItem Log(int i) => new($"id-{i}", null, DateTime.UnixEpoch.AddSeconds(i), "INFO", "svc", $"log {i}", null, null, null, null, null);

    [Fact]
    public void It_keeps_the_newest_logs_up_to_its_capacity_newest_first()
    {
        var buffer = new TailBuffer(3);
        for (var i = 1; i <= 10; i++)
        {
            buffer.Add(Log(i));
        }

        Assert.Equal(["log 10", "log 9", "log 8"], buffer.Snapshot().Select(l => l.Message));
        Assert.Equal(10, buffer.Received);
    }

    [Fact]
    public async Task Writers_and_a_reader_at_once_never_see_more_than_the_capacity()
    {
        var buffer = new TailBuffer(100);
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                buffer.Add(Log((w * 5_000) + i));
            }
        })).ToArray();
        while (!writers.All(t => t.IsCompleted))
        {
            Assert.InRange(buffer.Snapshot().Count, 0, 100);
        }

        await Task.WhenAll(writers);
        Assert.Equal(100, buffer.Snapshot().Count);
        Assert.Equal(20_000, buffer.Received);
    }

    [Fact]
    public void Clearing_starts_over_and_moves_the_version()
    {
        var buffer = new TailBuffer(5);
        buffer.Add(Log(1));
        var version = buffer.Version;

        buffer.Clear();

        Assert.Empty(buffer.Snapshot());
        Assert.Equal(0, buffer.Received);
        Assert.NotEqual(version, buffer.Version);
    }
}
