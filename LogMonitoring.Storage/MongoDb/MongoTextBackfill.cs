using MongoDB.Driver;

namespace LogMonitoring.Storage.MongoDb;

/// <summary>
/// Gives the text-search fields (<see cref="MessageText"/>) to logs stored before the store wrote them, so
/// that an upgraded deployment finds its older logs by text too. One pass along <c>_id</c> in batches,
/// setting the fields only on documents still without <c>text_folded</c>: it can stop and start again
/// anywhere, and two replicas running it at once write each document's same values once.
/// </summary>
public static class MongoTextBackfill
{
    private static readonly FilterDefinitionBuilder<LogDocument> F = Builders<LogDocument>.Filter;

    /// <summary>The documents without search fields; <c>text_folded</c> is written for every message, so its absence tells.</summary>
    public static FilterDefinition<LogDocument> Missing { get; } = F.Exists(d => d.TextFolded, exists: false);

    /// <summary>The next batch: documents after <paramref name="afterId"/> (in <c>_id</c> order) still without search fields.</summary>
    public static FilterDefinition<LogDocument> After(string? afterId) => afterId is null ? Missing : F.Gt(d => d.Id, afterId) & Missing;

    /// <summary>The search fields of one stored message, shaped as <see cref="LogDocument.From"/> writes them, set if still missing.</summary>
    public static UpdateOneModel<LogDocument> Fill(string id, string message)
    {
        var (folded, grams) = MessageText.Index(message);
        var update = Builders<LogDocument>.Update.Set(d => d.TextFolded, folded);
        update = grams is not null ? update.Set(d => d.TextGrams, grams) : update.Set(d => d.TextLong, true);
        return new UpdateOneModel<LogDocument>(F.Eq(d => d.Id, id) & Missing, update);
    }

    /// <summary>Fills the documents of one batch after <paramref name="afterId"/>; <see cref="TextBackfillBatch.LastId"/> is where the next starts.</summary>
    public static async Task<TextBackfillBatch> FillBatchAsync(
        IMongoCollection<LogDocument> logs, string? afterId, int batchSize, CancellationToken cancellationToken)
    {
        var batch = await logs.Find(After(afterId))
            .Project(d => new { d.Id, d.Message })
            .SortBy(d => d.Id)
            .Limit(batchSize)
            .ToListAsync(cancellationToken);
        if (batch.Count == 0)
        {
            return new TextBackfillBatch(0, 0, null);
        }

        var result = await logs.BulkWriteAsync(
            batch.Select(d => Fill(d.Id, d.Message)), new BulkWriteOptions { IsOrdered = false }, cancellationToken);
        return new TextBackfillBatch(batch.Count, result.ModifiedCount, batch[^1].Id);
    }
}

/// <summary>One backfill batch: documents found, documents this call filled (another replica may fill some first), and the last id.</summary>
public sealed record TextBackfillBatch(int Found, long Filled, string? LastId);
