using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
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
/// The shared security pipeline (ServiceDefaults) on a small real web app: API keys with scopes, constant
/// time matching, per-key rate limits with Retry-After, open probes, security headers, and the refusal
/// to start outside Development without keys.
/// </summary>
public sealed class ApiSecurityTests : IAsyncLifetime
{
    private const string WriterKey = "writer-key-0123456789";
    private const string ReaderKey = "reader-key-9876543210";
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static WebApplication Build(string environment, Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        builder.AddApiSecurity();
        var app = builder.Build();
        app.UseServiceDefaults();
        app.MapDefaultEndpoints();
        var api = app.MapGroup("/api").RequireRateLimiting(SecurityExtensions.RateLimitPolicy);
        api.MapPost("/write", () => Results.Accepted()).RequireAuthorization(Scopes.WriteLogs);
        api.MapGet("/read", () => Results.Ok()).RequireAuthorization(Scopes.ReadLogs);
        return app;
    }

    public async ValueTask InitializeAsync()
    {
        _app = Build(Environments.Production, new()
        {
            ["ApiKeys:RequestsPerSecond"] = "1000",
            ["ApiKeys:Keys:0:Name"] = "writer",
            ["ApiKeys:Keys:0:Key"] = WriterKey,
            ["ApiKeys:Keys:0:Scopes:0"] = Scopes.WriteLogs,
            ["ApiKeys:Keys:1:Name"] = "reader",
            // Stored as a digest: the key itself never appears in configuration.
            ["ApiKeys:Keys:1:KeySha256"] = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(ReaderKey))),
            ["ApiKeys:Keys:1:Scopes:0"] = Scopes.ReadLogs,
            ["ApiKeys:Keys:1:RequestsPerSecond"] = "2",
        });
        await _app.StartAsync(Ct);
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, string header = "X-Api-Key")
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Add(header, key);
        }

        return await _client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task A_missing_or_wrong_key_is_unauthorized_with_problem_details()
    {
        using var missing = await SendAsync(HttpMethod.Post, "/api/write", null);
        using var wrong = await SendAsync(HttpMethod.Post, "/api/write", "not-a-key");

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Each_key_reaches_only_its_scopes()
    {
        using var write = await SendAsync(HttpMethod.Post, "/api/write", WriterKey);
        using var writerReads = await SendAsync(HttpMethod.Get, "/api/read", WriterKey);
        using var readerWrites = await SendAsync(HttpMethod.Post, "/api/write", ReaderKey);
        using var seqHeader = await SendAsync(HttpMethod.Post, "/api/write", WriterKey, "X-Seq-ApiKey");

        Assert.Equal(HttpStatusCode.Accepted, write.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, writerReads.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, readerWrites.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, seqHeader.StatusCode);
    }

    [Fact]
    public async Task Probes_stay_open_and_every_response_carries_security_headers()
    {
        using var health = await SendAsync(HttpMethod.Get, "/alive", null);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("nosniff", health.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", health.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", health.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task A_key_over_its_rate_gets_429_with_retry_after_and_others_are_unaffected()
    {
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 10 && limited is null; i++)
        {
            var response = await SendAsync(HttpMethod.Get, "/api/read", ReaderKey);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        var problem = await limited.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains("RequestsPerSecond", problem.GetProperty("detail").GetString());
        limited.Dispose();
        using var writer = await SendAsync(HttpMethod.Post, "/api/write", WriterKey);
        Assert.Equal(HttpStatusCode.Accepted, writer.StatusCode);
    }

    [Fact]
    public async Task Outside_development_a_service_without_keys_refuses_to_start()
    {
        await using var app = Build(Environments.Production, []);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync(Ct));
        Assert.Contains("No API keys are configured", error.ToString());
    }

    [Fact]
    public async Task In_development_without_keys_the_apis_stay_open()
    {
        await using var app = Build(Environments.Development, []);
        await app.StartAsync(Ct);
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        using var response = await client.PostAsync("/api/write", null, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Default_endpoints_are_not_mapped_without_the_shared_pipeline()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.Logging.ClearProviders();
        builder.AddServiceDefaults();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapDefaultEndpoints());

        Assert.Contains("UseServiceDefaults", error.Message);
    }

    [Fact]
    public void Keys_are_matched_by_digest()
    {
        var options = new ApiKeyOptions
        {
            Keys =
            [
                new ApiKeyEntry { Name = "a", Key = "alpha", Scopes = [Scopes.ReadLogs] },
                new ApiKeyEntry { Name = "b", KeySha256 = Convert.ToHexString(SHA256.HashData("beta"u8)), Scopes = [Scopes.WriteLogs] },
            ],
        };

        Assert.Equal("a", ApiKeyAuthenticationHandler.Find(options, "alpha")?.Name);
        Assert.Equal("b", ApiKeyAuthenticationHandler.Find(options, "beta")?.Name);
        Assert.Null(ApiKeyAuthenticationHandler.Find(options, "alph"));
        Assert.Null(ApiKeyAuthenticationHandler.Find(options, ""));
    }
}
