using LogMonitoring.Storage.MongoDb;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace LogMonitoring.Tests.Storage;

/// <summary>
/// The backfill of text-search fields as MongoDB receives it, rendered without a server: it touches only
/// documents still without the fields, walks <c>_id</c> forward, and writes what a new log gets.
/// </summary>
public sealed class MongoTextBackfillTests
{
    private static readonly RenderArgs<LogDocument> Args = new(BsonSerializer.LookupSerializer<LogDocument>(), BsonSerializer.SerializerRegistry);

    [Fact]
    public void A_batch_looks_only_at_documents_without_text_fields_after_the_last_one()
    {
        Assert.Equal("""{ "text_folded" : { "$exists" : false } }""", MongoTextBackfill.After(null).Render(Args).ToJson());
        Assert.Equal("""{ "_id" : { "$gt" : "evt-9" }, "text_folded" : { "$exists" : false } }""", MongoTextBackfill.After("evt-9").Render(Args).ToJson());
    }

    [Fact]
    public void A_message_gets_the_fields_a_newly_stored_one_gets()
    {
        var fill = MongoTextBackfill.Fill("evt-1", "Payment TIMED out");

        Assert.Equal("""{ "_id" : "evt-1", "text_folded" : { "$exists" : false } }""", fill.Filter.Render(Args).ToJson());
        var set = fill.Update.Render(Args).AsBsonDocument["$set"].AsBsonDocument;
        Assert.Equal(MessageText.Fold("Payment TIMED out"), set["text_folded"].AsString);
        Assert.Equal(MessageText.Grams("Payment TIMED out"), set["text_grams"].AsBsonArray.Select(g => g.AsString));
        Assert.False(set.Contains("text_long"));
    }

    [Fact]
    public void A_message_with_more_trigrams_than_indexed_is_flagged_long_instead()
    {
        var message = string.Concat(Enumerable.Range(0, 3000).Select(i => (char)('\u4e00' + i)));

        var set = MongoTextBackfill.Fill("evt-2", message).Update.Render(Args).AsBsonDocument["$set"].AsBsonDocument;

        Assert.True(set["text_long"].AsBoolean);
        Assert.False(set.Contains("text_grams"));
        Assert.True(MessageText.IsLong(message));
    }
}
