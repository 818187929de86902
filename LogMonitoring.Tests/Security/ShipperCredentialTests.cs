using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LogMonitoring.ServiceDefaults.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LogMonitoring.Tests.Security;

/// <summary>
/// API keys presented the way shippers send them: Elasticsearch's <c>Authorization: ApiKey</c> (encoded
/// <c>id:key</c> or the raw key), Loki's HTTP Basic with the key as password, a non-JWT bearer token, and
/// repeated headers. Same key = one key; different keys = refused; no key ever reaches a log line.
/// </summary>
public sealed class ShipperCredentialTests : IAsyncLifetime
{
    private const string WriterKey = "writer-key-0123456789";
    private const string OtherKey = "other-key-9876543210";
    private readonly LogCapture _logs = new();
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddProvider(_logs);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ApiKeys:Keys:0:Name"] = "writer",
            ["ApiKeys:Keys:0:Key"] = WriterKey,
            ["ApiKeys:Keys:0:Scopes:0"] = Scopes.WriteLogs,
            ["ApiKeys:Keys:1:Name"] = "other",
            ["ApiKeys:Keys:1:Key"] = OtherKey,
            ["ApiKeys:Keys:1:Scopes:0"] = Scopes.WriteLogs,
        });
        builder.AddServiceDefaults();
        builder.AddApiSecurity();
        _app = builder.Build();
        _app.MapDefaultEndpoints();
        _app.MapPost("/api/write", (HttpContext context) => Results.Text(context.User.Identity!.Name))
            .RequireAuthorization(Scopes.WriteLogs).RequireIngestRateLimits();
        await _app.StartAsync(Ct);
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(Action<HttpRequestHeaders> headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/write");
        headers(request.Headers);
        using var response = await _client.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    public static TheoryData<string, string> AcceptedForms() => new()
    {
        { "ApiKey base64(id:key), as Elasticsearch clients send it", $"ApiKey {Base64($"VuaCfGcBCdbkQm-e5aOx:{WriterKey}")}" },
        { "ApiKey with the raw key", $"ApiKey {WriterKey}" },
        { "Basic with the key as password (Loki clients, Promtail, Fluent Bit)", $"Basic {Base64($"tenant-1:{WriterKey}")}" },
        { "Basic with the key as user name and no password", $"Basic {Base64($"{WriterKey}:")}" },
        { "Bearer with a key that is not a JWT (Vector, OTel Collector)", $"Bearer {WriterKey}" },
        { "lower-case scheme", $"apikey {WriterKey}" },
    };

    [Theory]
    [MemberData(nameof(AcceptedForms))]
    public async Task The_key_is_accepted_in_the_forms_shippers_send(string form, string authorization)
    {
        var (status, caller) = await SendAsync(h => h.TryAddWithoutValidation("Authorization", authorization));

        Assert.True(status == HttpStatusCode.OK, $"{form}: {status}");
        Assert.Equal("writer", caller);
    }

    [Fact]
    public async Task A_header_repeated_with_the_same_key_is_one_key()
    {
        // The Elasticsearch JS client sends "x-api-key: k, k" when the header is set at construction.
        var joined = await SendAsync(h => h.TryAddWithoutValidation("X-Api-Key", $"{WriterKey}, {WriterKey}"));
        var twice = await SendAsync(h => h.TryAddWithoutValidation("X-Api-Key", [WriterKey, WriterKey]));
        var both = await SendAsync(h =>
        {
            h.Add("X-Api-Key", WriterKey);
            h.TryAddWithoutValidation("Authorization", $"ApiKey {Base64($"id:{WriterKey}")}");
        });

        Assert.Equal((HttpStatusCode.OK, "writer"), joined);
        Assert.Equal((HttpStatusCode.OK, "writer"), twice);
        Assert.Equal((HttpStatusCode.OK, "writer"), both);
    }

    [Fact]
    public async Task Two_different_keys_are_refused_even_when_both_are_valid()
    {
        var joined = await SendAsync(h => h.TryAddWithoutValidation("X-Api-Key", $"{WriterKey}, {OtherKey}"));
        var mixed = await SendAsync(h =>
        {
            h.Add("X-Api-Key", WriterKey);
            h.TryAddWithoutValidation("Authorization", $"Basic {Base64($"t:{OtherKey}")}");
        });
        var oneWrong = await SendAsync(h => h.TryAddWithoutValidation("X-Api-Key", [WriterKey, "not-a-key"]));

        Assert.Equal(HttpStatusCode.Unauthorized, joined.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, mixed.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, oneWrong.Status);
    }

    [Fact]
    public async Task Wrong_or_malformed_credentials_are_unauthorized()
    {
        var wrongPassword = await SendAsync(h => h.TryAddWithoutValidation("Authorization", $"Basic {Base64("tenant:not-the-key")}"));
        var notBase64 = await SendAsync(h => h.TryAddWithoutValidation("Authorization", "Basic %%%"));
        var wrongApiKey = await SendAsync(h => h.TryAddWithoutValidation("Authorization", $"ApiKey {Base64("id:not-the-key")}"));
        var otherScheme = await SendAsync(h => h.TryAddWithoutValidation("Authorization", $"Digest {WriterKey}"));

        Assert.All([wrongPassword, notBase64, wrongApiKey, otherScheme], r => Assert.Equal(HttpStatusCode.Unauthorized, r.Status));
    }

    [Fact]
    public async Task No_key_in_any_form_reaches_the_log()
    {
        await SendAsync(h => h.TryAddWithoutValidation("Authorization", $"Basic {Base64($"tenant:{WriterKey}")}"));
        await SendAsync(h => h.TryAddWithoutValidation("Authorization", $"ApiKey {Base64("id:a-wrong-secret-key")}"));
        await SendAsync(h => h.TryAddWithoutValidation("X-Api-Key", $"{WriterKey}, {OtherKey}"));

        Assert.NotEmpty(_logs.Messages);
        Assert.DoesNotContain(_logs.Messages, m => m.Contains(WriterKey) || m.Contains(OtherKey) || m.Contains("a-wrong-secret-key") ||
            m.Contains(Base64($"tenant:{WriterKey}")));
    }

    [Fact]
    public void Keys_with_a_comma_are_refused_at_start_up()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ApiKeys:Keys:0:Name"] = "comma",
            ["ApiKeys:Keys:0:Key"] = "a,b",
        });
        builder.AddApiSecurity();
        using var app = builder.Build();

        var error = Assert.ThrowsAny<Exception>(() => app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApiKeyOptions>>().Value);
        Assert.Contains("comma", error.Message);
    }

    [Fact]
    public void Credentials_are_read_from_every_header_and_scheme()
    {
        var headers = new HeaderDictionary
        {
            ["X-Api-Key"] = "a, a",
            ["X-Seq-ApiKey"] = "b",
            ["Authorization"] = new Microsoft.Extensions.Primitives.StringValues([$"ApiKey {Base64("id:c")}", $"Basic {Base64("user:d")}", "Bearer e.f.g"]),
        };

        var withoutJwt = PresentedApiKeys.Read(headers, jwtConfigured: false);
        var withJwt = PresentedApiKeys.Read(headers, jwtConfigured: true);

        Assert.Equal(["a", "a", "b", "c", "d", "e.f.g"], withoutJwt.Select(k => k.Key));
        Assert.Equal(Base64("id:c"), withoutJwt[3].Alternative);
        // A JWT-shaped bearer token belongs to the identity provider's handler when one is configured.
        Assert.Equal(["a", "a", "b", "c", "d"], withJwt.Select(k => k.Key));
    }

    /// <summary>Every message every logger wrote, formatted, at every level.</summary>
    private sealed class LogCapture : ILoggerProvider
    {
        private readonly List<string> _messages = [];

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(LogCapture capture) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (capture._messages)
                {
                    capture._messages.Add($"{formatter(state, exception)} {exception}");
                }
            }
        }
    }
}
