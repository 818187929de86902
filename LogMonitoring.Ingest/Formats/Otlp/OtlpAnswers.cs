using Google.Protobuf;

namespace LogMonitoring.Ingest.Formats.Otlp;

/// <summary>
/// OTLP/HTTP's answers, encoded like the request (protobuf or JSON): 200 with an
/// <c>ExportLogsServiceResponse</c> whose <c>partial_success</c> counts refused records, or a
/// <c>google.rpc.Status</c> with 4xx/5xx. Exporters retry 429, 502, 503 and 504 and honour Retry-After.
/// </summary>
public static class OtlpAnswers
{
    // google.rpc.Code values.
    private const int InvalidArgument = 3;
    private const int ResourceExhausted = 8;
    private const int Unavailable = 14;

    public static ExportLogsServiceResponse Success(long rejected, string? errorMessage) => rejected == 0
        ? new ExportLogsServiceResponse()
        : new ExportLogsServiceResponse
        {
            PartialSuccess = new ExportLogsPartialSuccess { RejectedLogRecords = rejected, ErrorMessage = errorMessage ?? "" },
        };

    public static Status Failure(int httpStatus, string message) => new()
    {
        Code = httpStatus switch
        {
            StatusCodes.Status429TooManyRequests => ResourceExhausted,
            StatusCodes.Status503ServiceUnavailable => Unavailable,
            _ => InvalidArgument,
        },
        Message = message,
    };

    public static async Task WriteAsync(HttpResponse response, int statusCode, IMessage message, bool json)
    {
        response.StatusCode = statusCode;
        if (json)
        {
            response.ContentType = OtlpLogsFormat.JsonMediaType;
            await response.WriteAsync(JsonFormatter.Default.Format(message), response.HttpContext.RequestAborted);
        }
        else
        {
            response.ContentType = OtlpLogsFormat.ProtobufMediaType;
            await response.Body.WriteAsync(message.ToByteArray(), response.HttpContext.RequestAborted);
        }
    }
}
