using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MongoDB.Bson;
using BsonBinaryWriter = MongoDB.Bson.IO.BsonBinaryWriter;

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

    /// <summary>
    /// The metadata JSON as a BSON document, read once with a forward-only reader and written straight to BSON
    /// bytes (no JSON or BSON object tree): the persister maps every event it stores through here.
    /// </summary>
    /// <exception cref="InvalidOperationException">A repeated key, or a string that is not valid UTF-16.</exception>
    public static BsonDocument ToBson(string json)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(json, rented);
            var reader = new Utf8JsonReader(rented.AsSpan(0, length));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new FormatException("Metadata must be a JSON object.");
            }

            // One stream and writer per thread, written from the start for each document: a new writer per event
            // cost more than the document it wrote.
            var (output, writer) = t_output ??= NewOutput();
            output.Position = 0;
            WriteValue(ref reader, writer, []);
            writer.Flush();
            return new RawBsonDocument(output.GetBuffer().AsSpan(0, (int)output.Position).ToArray());
        }
        catch
        {
            // A document given up halfway leaves the writer inside it.
            t_output = null;
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    [ThreadStatic]
    private static (MemoryStream Output, BsonBinaryWriter Writer)? t_output;

    private static (MemoryStream, BsonBinaryWriter) NewOutput()
    {
        var output = new MemoryStream(4096);
        return (output, new BsonBinaryWriter(output));
    }

    /// <param name="names">The keys of the objects being written, outermost first: a repeated key is found among its own object's.</param>
    private static void WriteValue(ref Utf8JsonReader reader, BsonBinaryWriter writer, List<string> names)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                // BSON would keep a repeated name. The contract refuses repeated keys first; one that slipped
                // through fails this document alone (a permanent failure of one event, not of the batch).
                writer.WriteStartDocument();
                var first = names.Count;
                HashSet<string>? many = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    if (IsRepeated(name, names, first, ref many))
                    {
                        throw new InvalidOperationException($"Duplicate element name '{name}'.");
                    }

                    names.Add(name);
                    writer.WriteName(name);
                    reader.Read();
                    WriteValue(ref reader, writer, names);
                }

                names.RemoveRange(first, names.Count - first);
                writer.WriteEndDocument();
                break;
            case JsonTokenType.StartArray:
                writer.WriteStartArray();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    WriteValue(ref reader, writer, names);
                }

                writer.WriteEndArray();
                break;
            case JsonTokenType.String:
                writer.WriteString(reader.GetString());
                break;
            case JsonTokenType.Number:
                WriteNumber(ref reader, writer);
                break;
            case JsonTokenType.True:
                writer.WriteBoolean(true);
                break;
            case JsonTokenType.False:
                writer.WriteBoolean(false);
                break;
            default:
                writer.WriteNull();
                break;
        }
    }

    /// <summary>Up to this many keys an object is checked for a repeated one by comparing names, without a set.</summary>
    private const int SmallObject = 16;

    private static bool IsRepeated(string name, List<string> names, int first, ref HashSet<string>? many)
    {
        if (many is not null)
        {
            return !many.Add(name);
        }

        var keys = CollectionsMarshal.AsSpan(names)[first..];
        if (keys.Length < SmallObject)
        {
            foreach (var key in keys)
            {
                if (string.Equals(key, name, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        many = new HashSet<string>(keys.ToArray(), StringComparer.Ordinal);
        return !many.Add(name);
    }

    /// <summary>
    /// <see cref="Number"/>'s choice, without making a string of the common numbers: an integer in Int32 or
    /// Int64 range, and a number written exactly as its double's shortest form (12.5), are what they look like.
    /// </summary>
    private static void WriteNumber(ref Utf8JsonReader reader, BsonBinaryWriter writer)
    {
        var text = reader.ValueSpan;
        if (text.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0)
        {
            if (reader.TryGetInt32(out var small))
            {
                writer.WriteInt32(small);
                return;
            }

            if (reader.TryGetInt64(out var large))
            {
                writer.WriteInt64(large);
                return;
            }
        }
        else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) &&
                 ShortestFormIs(d, text))
        {
            writer.WriteDouble(d);
            return;
        }

        switch (Number(Encoding.UTF8.GetString(text)))
        {
            case BsonInt32 i:
                writer.WriteInt32(i.Value);
                break;
            case BsonInt64 l:
                writer.WriteInt64(l.Value);
                break;
            case BsonDouble f:
                writer.WriteDouble(f.Value);
                break;
            case BsonDecimal128 m:
                writer.WriteDecimal128(m.Value);
                break;
            case var other:
                writer.WriteBinaryData(other.AsBsonBinaryData);
                break;
        }
    }

    private static bool ShortestFormIs(double d, ReadOnlySpan<byte> text)
    {
        Span<byte> shortest = stackalloc byte[32];
        return d.TryFormat(shortest, out var written, "R", CultureInfo.InvariantCulture) && shortest[..written].SequenceEqual(text);
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
