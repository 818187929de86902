using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace LogMonitoring.IntegrationTests;

/// <summary>
/// A generic-webhook receiver as a person would run one: an HTTP endpoint on this machine that takes
/// Alertmanager's notifications (its webhook JSON) and hands each to the test as it arrives.
/// </summary>
public sealed class AlertWebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Channel<JsonObject> _notifications = Channel.CreateUnbounded<JsonObject>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public AlertWebhookReceiver()
    {
        Url = new Uri($"http://127.0.0.1:{FreePort()}/alerts/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _loop = Task.Run(ReceiveAsync);
    }

    public Uri Url { get; }

    /// <summary>Every notification received, in order of arrival.</summary>
    public List<JsonObject> Received { get; } = [];

    /// <summary>Waits for the first notification (new or already received) that satisfies <paramref name="match"/>.</summary>
    public async Task<JsonObject> WaitForAsync(Func<JsonObject, bool> match, CancellationToken cancellationToken)
    {
        lock (Received)
        {
            if (Received.FirstOrDefault(match) is { } seen)
            {
                return seen;
            }
        }

        await foreach (var notification in _notifications.Reader.ReadAllAsync(cancellationToken))
        {
            if (match(notification))
            {
                return notification;
            }
        }

        throw new InvalidOperationException("The receiver stopped.");
    }

    private async Task ReceiveAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().WaitAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using (var reader = new StreamReader(context.Request.InputStream))
            {
                if (JsonNode.Parse(await reader.ReadToEndAsync()) is JsonObject notification)
                {
                    lock (Received)
                    {
                        Received.Add(notification);
                    }

                    _notifications.Writer.TryWrite(notification);
                }
            }

            context.Response.StatusCode = (int)HttpStatusCode.OK;
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close();
        await _loop;
        _stop.Dispose();
    }
}
