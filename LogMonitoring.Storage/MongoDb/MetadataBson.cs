using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MongoDB.Bson;

namespace LogMonitoring.Storage.MongoDb;

/// <summary>
/// An event's metadata JSON as BSON and back, keeping every value of the contract's domain exactly
/// (<see cref="LogMonitoring.Contracts.LogValueDomain"/>). A JSON number becomes the first BSON type that
/// holds its value exactly: Int32 or Int64 for an integer in their range, Double when the double's
/// shortest form is the same decimal value (0.5, 1e300), Decimal128 when its 34 digits hold it
/// (18446744073709551615, 0.1000000000000000000001), otherwise binary data of subtype 0x80 holding the
/// number's text (a 40-digit integer). The first three compare as numbers in MongoDB queries; the text
/// form is kept for values no BSON number holds, and read back as the number it was.
/// </summary>
public static class MetadataBson
{
    /// <summary>BSON's first user-defined binary subtype: unambiguous, since JSON itself never yields binary data.</summary>
    public const BsonBinarySubType NumberTextSubType = BsonBinarySubType.UserDefined;

    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static BsonDocument ToBson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return (BsonDocument)ToBson(document.RootElement);
    }

    public static BsonValue ToBson(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                // BsonDocument refuses a repeated name. The contract refuses repeated keys first; one that slipped
                // through fails this document alone (a permanent failure of one event, not of the batch).
                var document = new BsonDocument();
                foreach (var property in element.EnumerateObject())
                {
                    document.Add(property.Name, ToBson(property.Value));
                }

                return document;
            case JsonValueKind.Array:
                var array = new BsonArray();
                foreach (var item in element.EnumerateArray())
                {
                    array.Add(ToBson(item));
                }

                return array;
            case JsonValueKind.String:
                return new BsonString(element.GetString());
            case JsonValueKind.Number:
                return Number(element.GetRawText());
            case JsonValueKind.True:
                return BsonBoolean.True;
            case JsonValueKind.False:
                return BsonBoolean.False;
            default:
                return BsonNull.Value;
        }
    }

    /// <summary>The BSON value that holds the JSON number <paramref name="text"/> exactly.</summary>
    public static BsonValue Number(string text)
    {
        if (text.AsSpan().IndexOfAny('.', 'e', 'E') < 0)
        {
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var small))
            {
                return new BsonInt32(small);
            }

            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var large))
            {
                return new BsonInt64(large);
            }
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) &&
            DecimalText.SameValue(text, d.ToString("R", CultureInfo.InvariantCulture)))
        {
            return new BsonDouble(d);
        }

        if (Decimal128.TryParse(text, out var exact) && DecimalText.SameValue(text, exact.ToString()))
        {
            return new BsonDecimal128(exact);
        }

        return new BsonBinaryData(Encoding.UTF8.GetBytes(text), NumberTextSubType);
    }

    public static string ToJson(BsonDocument document)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            Write(writer, document);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void Write(Utf8JsonWriter writer, BsonValue value)
    {
        switch (value)
        {
            case BsonDocument document:
                writer.WriteStartObject();
                foreach (var element in document)
                {
                    writer.WritePropertyName(element.Name);
                    Write(writer, element.Value);
                }

                writer.WriteEndObject();
                break;
            case BsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case BsonString s:
                writer.WriteStringValue(s.Value);
                break;
            case BsonInt32 i:
                writer.WriteNumberValue(i.Value);
                break;
            case BsonInt64 l:
                writer.WriteNumberValue(l.Value);
                break;
            case BsonDouble d:
                writer.WriteRawValue(d.Value.ToString("R", CultureInfo.InvariantCulture));
                break;
            case BsonDecimal128 m:
                writer.WriteRawValue(m.Value.ToString());
                break;
            case BsonBinaryData { SubType: NumberTextSubType } b:
                writer.WriteRawValue(b.Bytes);
                break;
            case BsonBoolean b:
                writer.WriteBooleanValue(b.Value);
                break;
            case BsonNull:
                writer.WriteNullValue();
                break;
            default:
                // Only a document edited by hand holds another type: show it as MongoDB's relaxed extended JSON.
                writer.WriteRawValue(value.ToJson(new MongoDB.Bson.IO.JsonWriterSettings { OutputMode = MongoDB.Bson.IO.JsonOutputMode.RelaxedExtendedJson }));
                break;
        }
    }
}
