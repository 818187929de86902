using System.Runtime.InteropServices;
using System.Text.Json;
using static LogMonitoring.Contracts.LogEventErrorCodes;

namespace LogMonitoring.Contracts;

/// <summary>
/// Checks an event's metadata against the limits (keys at every depth, nesting, size, keys MongoDB would
/// read as operators) and the value domain (<see cref="LogValueDomain"/>: no repeated key, valid UTF-16), and produces its stored JSON: the <c>metadata</c> object with the event's unknown
/// top-level fields added as keys of their own.
/// </summary>
internal sealed class LogMetadataReader(LogLimits limits)
{
    public string? Read(JsonElement? metadata, List<JsonProperty>? extras, List<LogEventError> errors)
    {
        if (metadata is null && extras is null)
        {
            return null;
        }

        var keys = 0;
        var before = errors.Count;
        if (metadata is { } m)
        {
            Check(m, "metadata", 1, ref keys, errors);
        }

        // Unknown top-level fields join metadata's own keys in one object, so they must not repeat one.
        var topLevel = extras is null ? null : new HashSet<string>(metadata is { } md ? md.EnumerateObject().Select(p => p.Name) : [], StringComparer.Ordinal);
        foreach (var extra in extras ?? [])
        {
            keys++;
            if (CheckKey(extra.Name, "metadata", errors) && !topLevel!.Add(extra.Name))
            {
                errors.Add(DuplicateError("metadata", extra.Name));
            }

            // An unknown field becomes a key of the metadata object, so its value sits one level down.
            Check(extra.Value, "metadata." + extra.Name, 2, ref keys, errors);
        }

        if (keys > limits.MaxMetadataKeys)
        {
            errors.Add(new(TooManyKeys, "metadata", $"has {keys} keys, over the limit of {limits.MaxMetadataKeys} ({nameof(LogLimits.MaxMetadataKeys)})"));
        }

        if (errors.Count > before)
        {
            return null;
        }

        var json = extras is null ? metadata!.Value.GetRawText() : Merge(metadata, extras);
        if (json.Length > limits.MaxMetadataBytes)
        {
            errors.Add(new(TooLarge, "metadata", $"is {json.Length} bytes, over the limit of {limits.MaxMetadataBytes} ({nameof(LogLimits.MaxMetadataBytes)})"));
            return null;
        }

        return json;
    }

    private static string Merge(JsonElement? metadata, List<JsonProperty> extras)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (metadata is { } md)
            {
                foreach (var p in md.EnumerateObject())
                {
                    p.WriteTo(writer);
                }
            }

            foreach (var p in extras)
            {
                p.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private void Check(JsonElement element, string path, int depth, ref int keys, List<LogEventError> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (depth > limits.MaxMetadataDepth)
                {
                    errors.Add(TooDeepError(path));
                    return;
                }

                // Key names and paths become strings only where a rule needs the text (an escape, a broken rule, a
                // nested value): made for every key of every event, they were a good part of ingest's garbage.
                var count = element.GetPropertyCount();
                HashSet<string>? names = count > SmallObject ? new(StringComparer.Ordinal) : null;
                var index = 0;
                foreach (var p in element.EnumerateObject())
                {
                    keys++;
                    var raw = JsonMarshal.GetRawUtf8PropertyName(p);
                    var escaped = raw.Contains((byte)'\\');
                    if (!(escaped ? CheckKey(p.Name, path, errors) : CheckKey(raw, p, path, errors)))
                    {
                        return;
                    }

                    if (names is null ? IsRepeated(element, p, raw, escaped, index) : !names.Add(p.Name))
                    {
                        errors.Add(DuplicateError(path, p.Name));
                        return;
                    }

                    if (p.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    {
                        Check(p.Value, path + "." + p.Name, depth + 1, ref keys, errors);
                    }
                    else
                    {
                        CheckText(p.Value);
                    }

                    index++;
                }

                break;
            case JsonValueKind.Array:
                if (depth > limits.MaxMetadataDepth)
                {
                    errors.Add(TooDeepError(path));
                    return;
                }

                foreach (var item in element.EnumerateArray())
                {
                    Check(item, path + "[]", depth + 1, ref keys, errors);
                }

                break;
            case JsonValueKind.String:
                CheckText(element);
                break;
        }
    }

    // Reading the value throws on an unpaired surrogate escape, which no store could encode.
    private static void CheckText(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String && JsonMarshal.GetRawUtf8Value(value).IndexOf("\\u"u8) >= 0)
        {
            _ = value.GetString();
        }
    }

    /// <summary>Objects up to this many keys are checked for a repeated key by comparing names pairwise, without a set.</summary>
    private const int SmallObject = 16;

    /// <summary>Whether a key before position <paramref name="index"/> of the object has the same (unescaped) name.</summary>
    private static bool IsRepeated(JsonElement element, JsonProperty property, ReadOnlySpan<byte> raw, bool escaped, int index)
    {
        var name = escaped ? property.Name : null;
        var position = 0;
        foreach (var earlier in element.EnumerateObject())
        {
            if (position++ == index)
            {
                return false;
            }

            if (name is null ? earlier.NameEquals(raw) : earlier.NameEquals(name))
            {
                return true;
            }
        }

        return false;
    }

    // The same rules as the string form below, on a name without escapes (so its raw bytes are its text).
    private static bool CheckKey(ReadOnlySpan<byte> raw, JsonProperty property, string path, List<LogEventError> errors) =>
        raw.Length > 0 && raw[0] != (byte)'$' || CheckKey(property.Name, path, errors);

    private static LogEventError DuplicateError(string path, string key) =>
        new(Duplicate, $"{path}.{TextPreview.Of(key)}", "appears more than once in its object (a repeated key is refused, not guessed at)");

    private LogEventError TooDeepError(string path) =>
        new(TooDeep, path, $"nested deeper than {limits.MaxMetadataDepth} levels ({nameof(LogLimits.MaxMetadataDepth)})");

    // Keys that MongoDB would read as operators, or that are empty, are refused rather than stored.
    private static bool CheckKey(string key, string path, List<LogEventError> errors)
    {
        if (key.Length == 0)
        {
            errors.Add(new(InvalidKey, path, "has an empty key"));
            return false;
        }

        if (key[0] == '$')
        {
            errors.Add(new(InvalidKey, $"{path}.{TextPreview.Of(key)}", "keys must not start with '$'"));
            return false;
        }

        if (key.Contains('\0'))
        {
            errors.Add(new(InvalidKey, path, "a key contains U+0000"));
            return false;
        }

        return true;
    }
}
