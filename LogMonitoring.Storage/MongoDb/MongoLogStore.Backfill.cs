using LogMonitoring.Storage.Search;

namespace LogMonitoring.Storage.MongoDb;

public sealed partial class MongoLogStore : ITextBackfill
{
    public async Task<long> BackfillTextAsync(int batchSize, CancellationToken cancellationToken)
    {
        long filled = 0;
        string? after = null;
        while (true)
        {
            var batch = await MongoTextBackfill.FillBatchAsync(Logs, after, batchSize, cancellationToken);
            if (batch.Found == 0)
            {
                return filled;
            }

            filled += batch.Filled;
            after = batch.LastId;
        }
    }
}
