using System.Net;

namespace LogMonitoring.Tests.Shippers;

/// <summary>Wraps the in-process server's handler and records what a client library sent and got back.</summary>
public sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly List<(string Path, string? ContentType, HttpStatusCode Status)> _exchanges = [];

    public IReadOnlyList<(string Path, string? ContentType, HttpStatusCode Status)> Exchanges
    {
        get
        {
            lock (_exchanges)
            {
                return [.. _exchanges];
            }
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        lock (_exchanges)
        {
            _exchanges.Add((request.RequestUri!.PathAndQuery, request.Content?.Headers.ContentType?.MediaType, response.StatusCode));
        }

        return response;
    }
}
