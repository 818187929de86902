namespace LogMonitoring.Storage.Search;

/// <summary>
/// A store whose text index is kept in each log's own record, and so is missing from logs stored before
/// the store wrote it (MongoDB). SQLite fills its text index from the stored logs when it creates it.
/// </summary>
public interface ITextBackfill
{
    /// <summary>Gives every log stored without text-search fields its fields, batch by batch; returns how many this call filled.</summary>
    Task<long> BackfillTextAsync(int batchSize, CancellationToken cancellationToken);
}
