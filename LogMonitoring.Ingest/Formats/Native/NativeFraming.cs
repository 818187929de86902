using LogMonitoring.Contracts;
using LogMonitoring.Ingest.Pipeline;
using Microsoft.Net.Http.Headers;

namespace LogMonitoring.Ingest.Formats.Native;

/// <summary>How <c>POST /api/logs</c> tells a JSON body from NDJSON: by its Content-Type, in UTF-8 only.</summary>
public static class NativeFraming
{
    public static readonly string[] JsonMediaTypes = ["application/json"];
    public static readonly string[] NdjsonMediaTypes = ["application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines"];

    public static IngestRefusal? TryGet(HttpRequest request, out LogBatchFormat framing)
    {
        framing = LogBatchFormat.Json;
        if (string.IsNullOrEmpty(request.ContentType))
        {
            return Unsupported("is missing; send application/json (one event or an array) or application/x-ndjson (one event per line)");
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType))
        {
            return Unsupported($"'{TextPreview.Of(request.ContentType)}' is not a media type");
        }

        if (mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return Unsupported($"charset '{TextPreview.Of(mediaType.Charset.Value)}' is not supported; send UTF-8");
        }

        var type = mediaType.MediaType.Value ?? "";
        if (JsonMediaTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        if (NdjsonMediaTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
        {
            framing = LogBatchFormat.Ndjson;
            return null;
        }

        return Unsupported($"'{TextPreview.Of(type)}' is not supported; send application/json or application/x-ndjson");
    }

    private static IngestRefusal Unsupported(string detail) => new(RequestErrorCodes.UnsupportedMediaType, "Content-Type", detail);
}
