using System.Buffers;
using System.IO.Compression;
using LogMonitoring.Contracts;
using Microsoft.AspNetCore.Http.Features;

namespace LogMonitoring.Ingest.Pipeline;

/// <summary>
/// Reads an ingest request's body: undoes Content-Encoding and enforces <see cref="LogLimits.MaxBodyBytes"/>
/// on the decompressed size, so a gzip bomb stops at the limit.
/// </summary>
public static class RequestBody
{
    /// <summary>Reads the whole body into a pooled buffer; the caller returns it with <see cref="Return"/>.</summary>
    public static async Task<(byte[]? Buffer, int Length, IngestRefusal? Error)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        Stream body = request.Body;
        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        switch (encoding.ToLowerInvariant())
        {
            case "":
            case "identity":
                break;
            case "gzip":
            case "x-gzip":
                body = new GZipStream(body, CompressionMode.Decompress, leaveOpen: true);
                break;
            case "deflate":
                body = new ZLibStream(body, CompressionMode.Decompress, leaveOpen: true);
                break;
            case "br":
                body = new BrotliStream(body, CompressionMode.Decompress, leaveOpen: true);
                break;
            default:
                return (null, 0, new IngestRefusal(RequestErrorCodes.UnsupportedEncoding, "Content-Encoding",
                    $"'{encoding}' is not supported; send gzip, deflate, br or no encoding"));
        }

        var initial = (int)Math.Clamp(request.ContentLength ?? 16 * 1024, 1024, Math.Min(maxBytes + 1, 4 * 1024 * 1024));
        var buffer = ArrayPool<byte>.Shared.Rent(initial);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        break;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > maxBytes)
                {
                    break;
                }
            }
        }
        catch (InvalidDataException ex)
        {
            Return(buffer);
            return (null, 0, new IngestRefusal(RequestErrorCodes.InvalidEncoding, "Content-Encoding", $"the body is not valid {encoding}: {ex.Message}"));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            Return(buffer);
            return (null, 0, TooLarge(maxBytes));
        }
        finally
        {
            if (!ReferenceEquals(body, request.Body))
            {
                await body.DisposeAsync();
            }
        }

        if (length > maxBytes)
        {
            Return(buffer);
            return (null, 0, TooLarge(maxBytes));
        }

        return (buffer, length, null);
    }

    public static void Return(byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static IngestRefusal TooLarge(long maxBytes) => new(LogEventErrorCodes.TooLarge, "body",
        $"is over the limit of {maxBytes} bytes after decompression ({nameof(LogLimits.MaxBodyBytes)})");

    /// <summary>Lets the body limit follow <see cref="LogLimits.MaxBodyBytes"/> instead of Kestrel's default.</summary>
    public static void ApplySizeLimit(HttpContext context, long maxBytes)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = maxBytes;
        }
    }
}
