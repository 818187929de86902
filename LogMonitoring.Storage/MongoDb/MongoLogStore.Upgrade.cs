using MongoDB.Bson;
using MongoDB.Driver;

namespace LogMonitoring.Storage.MongoDb;

/// <summary>
/// Taking over a database written before logs carried <c>rollup</c>: the expiry index that deleted logs
/// whether counted or not is replaced, and the logs stored so far are marked counted or not by the earlier
/// design's watermark, once, when the first cycle of this design starts.
/// </summary>
public sealed partial class MongoLogStore
{
    /// <summary>The earlier expiry index, on every log: it could delete a log before the statistics counted it.</summary>
    internal const string LegacyTtlIndex = "expire_at_ttl";

    internal const string CountedTtlIndex = "expire_at_counted_ttl";

    private const int IndexNotFound = 27;

    /// <summary>
    /// Indexes earlier versions created that no query needs any more, dropped at start-up:
    /// <list type="bullet">
    /// <item>the earlier expiry index: <c>collMod</c> cannot add a partial filter to an index, so it is dropped
    /// and the new one (<see cref="CountedTtlIndex"/>) created under another name. Between the two nothing
    /// expires, which only delays expiry.</item>
    /// <item><c>stored_at_1</c>: every query on <c>stored_at</c> (the live tail, the upgrade's marks below) is
    /// served by <c>stored_at_1__id_1</c>, of which it is the prefix, and the rollups by the partial
    /// <see cref="PendingIndex"/>. It cost every insert an index entry for nothing.</item>
    /// <item>search indexes the search indexes of <see cref="SearchIndexes"/> replaced.</item>
    /// </list>
    /// </summary>
    internal static readonly string[] ObsoleteIndexes =
        [LegacyTtlIndex, "stored_at_1", "timestamp_-1_service_1", "level_1_timestamp_-1", "service_1_timestamp_-1"];

    /// <summary>
    /// Drops the named indexes where they exist. Every replica may do this at once: a drop that finds the
    /// index gone changes nothing.
    /// </summary>
    private async Task DropIndexesAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        using var cursor = await Logs.Indexes.ListAsync(cancellationToken);
        var existing = (await cursor.ToListAsync(cancellationToken)).Select(i => i.GetValue("name", "").AsString);
        foreach (var name in existing.Intersect(names))
        {
            try
            {
                await Logs.Indexes.DropOneAsync(name, cancellationToken);
            }
            catch (MongoCommandException ex) when (ex.Code == IndexNotFound)
            {
            }
        }
    }

    /// <summary>The state document, created or converted from the earlier design's if need be.</summary>
    internal async Task<RollupState> ReadRollupStateAsync(CancellationToken cancellationToken)
    {
        var state = await State.Find(s => s.Id == RollupStateId).FirstOrDefaultAsync(cancellationToken);
        if (state is { Last: not null })
        {
            return state;
        }

        await MarkEarlierLogsAsync(state?.Watermark, cancellationToken);
        try
        {
            await State.UpdateOneAsync(StartFilter, StartUpdate, new UpdateOptions { IsUpsert = true }, cancellationToken);
        }
        catch (MongoWriteException ex) when (ex.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            // Another replica converted it first.
        }

        return await State.Find(s => s.Id == RollupStateId).FirstAsync(cancellationToken);
    }

    internal static FilterDefinition<RollupState> StartFilter =>
        Builders<RollupState>.Filter.Eq(s => s.Id, RollupStateId) & Builders<RollupState>.Filter.Exists(s => s.Last, false);

    /// <summary>Cycle 0 closed, nothing open; the earlier design's watermark and lease go.</summary>
    internal static UpdateDefinition<RollupState> StartUpdate =>
        Builders<RollupState>.Update.Set(s => s.Last, (long?)0).Set(s => s.Open, (long?)null)
            .Unset(s => s.Watermark).Unset("lease_owner").Unset("lease_until");

    /// <summary>
    /// The earlier design counted every log stored before its watermark: those become counted (and may
    /// expire); later ones, and every log of a database it never rolled up, wait for a cycle. Each update is
    /// idempotent, so replicas starting together do it together.
    /// </summary>
    private async Task MarkEarlierLogsAsync(DateTime? watermark, CancellationToken cancellationToken)
    {
        foreach (var (filter, rollup) in EarlierLogMarks(watermark))
        {
            await Logs.UpdateManyAsync(filter, Builders<LogDocument>.Update.Set(d => d.Rollup, rollup), cancellationToken: cancellationToken);
        }
    }

    internal static IReadOnlyList<(FilterDefinition<LogDocument> Filter, long Rollup)> EarlierLogMarks(DateTime? watermark)
    {
        var f = Builders<LogDocument>.Filter;
        var unmarked = f.Exists(d => d.Rollup, false);
        var marks = new List<(FilterDefinition<LogDocument>, long)>();
        if (watermark is { } counted)
        {
            marks.Add((unmarked & f.Lt(d => d.StoredAt, counted), Counted));
            // Written by an upgraded persister while the earlier rollups still ran, and counted by them.
            marks.Add((f.Eq(d => d.Rollup, Uncounted) & f.Lt(d => d.StoredAt, counted), Counted));
        }

        marks.Add((unmarked, Uncounted));
        return marks;
    }
}
