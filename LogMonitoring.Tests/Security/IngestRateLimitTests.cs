using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LogMonitoring.ServiceDefaults.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LogMonitoring.Tests.Security;

/// <summary>
/// The byte budget per key on ingest endpoints: declared lengths are taken before the body is read,
/// chunked bodies are charged after, a body larger than the whole bucket passes when the bucket is full,
/// and the 429 names the setting to raise. The refill is 10 bytes a second, so no test depends on timing.
/// </summary>
public sealed class IngestRateLimitTests : IAsyncLifetime
{
    private const string LimitedKey = "limited-key-0123456789";
    private const string OtherKey = "other-key-0123456789";
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ApiKeys:Keys:0:Name"] = "limited",
            ["ApiKeys:Keys:0:Key"] = LimitedKey,
            ["ApiKeys:Keys:0:Scopes:0"] = Scopes.WriteLogs,
            ["ApiKeys:Keys:0:BytesPerSecond"] = "10",
            ["ApiKeys:Keys:0:BurstBytes"] = "2000",
            ["ApiKeys:Keys:1:Name"] = "other",
            ["ApiKeys:Keys:1:Key"] = OtherKey,
            ["ApiKeys:Keys:1:Scopes:0"] = Scopes.WriteLogs,
        });
        builder.AddServiceDefaults();
        builder.AddApiSecurity();
        _app = builder.Build();
        _app.MapDefaultEndpoints();
        _app.MapPost("/api/write", async (HttpContext context) =>
        {
            // Reads the body as ingest does, so chunked bodies are counted.
            await context.Request.Body.CopyToAsync(Stream.Null);
            return Results.Accepted();
        }).RequireAuthorization(Scopes.WriteLogs).RequireIngestRateLimits();
        await _app.StartAsync(Ct);
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private async Task<HttpResponseMessage> PostAsync(string key, int bytes, bool chunked = false)
    {
        HttpContent content = chunked
            ? new StreamContent(new UnknownLengthStream(new byte[bytes]))
            : new ByteArrayContent(new byte[bytes]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/write") { Content = content };
        request.Headers.Add("X-Api-Key", key);
        return await _client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task A_key_over_its_bytes_gets_429_naming_the_setting_and_other_keys_go_on()
    {
        using var first = await PostAsync(LimitedKey, 1500);
        using var second = await PostAsync(LimitedKey, 1500);
        using var other = await PostAsync(OtherKey, 1500);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.True(second.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        var problem = await second.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("ApiKeys:BytesPerSecond", problem.GetProperty("limit").GetString());
        Assert.Contains("BytesPerSecond", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
    }

    [Fact]
    public async Task A_body_larger_than_the_burst_passes_with_a_full_bucket_and_empties_it()
    {
        using var large = await PostAsync(LimitedKey, 5000);
        using var next = await PostAsync(LimitedKey, 100);

        Assert.Equal(HttpStatusCode.Accepted, large.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, next.StatusCode);
    }

    [Fact]
    public async Task A_chunked_body_is_charged_for_what_was_read()
    {
        using var chunked = await PostAsync(LimitedKey, 1900, chunked: true);
        using var next = await PostAsync(LimitedKey, 500);

        Assert.Equal(HttpStatusCode.Accepted, chunked.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, next.StatusCode);
    }

    [Fact]
    public void The_defaults_fit_the_traffic_of_a_busy_service()
    {
        var defaults = new ApiKeyOptions();

        // One event per request at 1,000 requests a second, and 10,000 events a second of 300 bytes in batches.
        Assert.True(defaults.RequestsPerSecond >= 5 * 1000);
        Assert.True(defaults.BytesPerSecond >= 10 * 10_000 * 300);
        // A request at the body limit (LogLimits.MaxBodyBytes) fits in one burst.
        Assert.True(defaults.BurstBytes >= new LogMonitoring.Contracts.LogLimits().MaxBodyBytes);
    }

    /// <summary>A body whose length HttpClient cannot know, so it is sent chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
