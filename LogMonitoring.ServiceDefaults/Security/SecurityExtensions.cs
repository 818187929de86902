using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LogMonitoring.ServiceDefaults.Security;

/// <summary>Present in services that serve an API; tells the shared pipeline to authenticate.</summary>
/// <param name="JwtConfigured">
/// Whether bearer tokens shaped like a JWT go to the identity provider's handler (<c>Authentication:Jwt:Authority</c>
/// set): read once, since that handler is registered, or not, at start-up.
/// </param>
public sealed record ApiSecurity(bool JwtConfigured);

/// <summary>
/// API keys (and, when <c>Authentication:Jwt:Authority</c> is set, JWTs from an identity provider) with
/// scopes; per-caller rate limits (<see cref="CallerRateLimits"/>); security headers.
/// </summary>
public static class SecurityExtensions
{
    /// <summary>The request-rate guard every API endpoint takes; ingest adds the byte budget with <see cref="CallerRateLimits.RequireIngestRateLimits"/>.</summary>
    public const string RateLimitPolicy = CallerRateLimits.RequestPolicy;
    private const string SelectorScheme = "ApiKeyOrJwt";

    public static TBuilder AddApiSecurity<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var environment = builder.Environment;
        var jwt = HasJwt(builder.Configuration);
        builder.Services.AddSingleton(new ApiSecurity(jwt));
        builder.Services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.SectionName)
            .Validate(o => o.Keys.All(k => !string.IsNullOrWhiteSpace(k.Name)), "ApiKeys:Keys: every key needs a Name.")
            .Validate(o => o.Keys.All(k => ApiKeyAuthenticationHandler.TryDigest(k, stackalloc byte[32])), "ApiKeys:Keys: every key needs a Key or a 64-character hex KeySha256.")
            // Clients that repeat a header send its values comma-joined, so a comma cannot be part of a key.
            .Validate(o => o.Keys.All(k => k.Key is null || (!k.Key.Contains(',') && k.Key.Trim() == k.Key)), "ApiKeys:Keys: a Key may not contain a comma or start or end with white space.")
            .Validate(CallerRateLimits.AreValid, CallerRateLimits.ValidationMessage)
            .Validate(o => o.Keys.SelectMany(k => k.Scopes).All(s => Scopes.All.Contains(s)), $"ApiKeys:Keys: scopes must be among {string.Join(", ", Scopes.All)}.")
            // Outside development an unprotected API is a mistake, not a default.
            .Validate(o => environment.IsDevelopment() || o.Keys.Count > 0 || HasJwt(builder.Configuration),
                "No API keys are configured (ApiKeys:Keys) and no JWT authority (Authentication:Jwt:Authority): refusing to start outside Development.")
            .ValidateOnStart();

        var authentication = builder.Services.AddAuthentication(SelectorScheme)
            // A bearer token shaped like a JWT goes to the identity provider's handler; anything else is an API key.
            .AddPolicyScheme(SelectorScheme, "API key or bearer token", options => options.ForwardDefaultSelector = context =>
                jwt && context.Request.Headers.Authorization.Any(PresentedApiKeys.IsJwtBearer)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        if (jwt)
        {
            authentication.AddJwtBearer(options =>
            {
                options.Authority = builder.Configuration["Authentication:Jwt:Authority"];
                options.Audience = builder.Configuration["Authentication:Jwt:Audience"];
                options.MapInboundClaims = false;
            });
        }

        builder.Services.AddAuthorizationBuilder().AddScopePolicies(builder.Configuration, environment);

        builder.Services.AddCallerRateLimits();
        return builder;
    }

    /// <summary>
    /// In Development with no key and no JWT configured, the APIs stay open (and say so in the log), so a
    /// service run on its own works; the AppHost always supplies development keys.
    /// </summary>
    private static AuthorizationBuilder AddScopePolicies(this AuthorizationBuilder authorization, IConfiguration configuration, IHostEnvironment environment)
    {
        var keysConfigured = configuration.GetSection($"{ApiKeyOptions.SectionName}:Keys").GetChildren().Any();
        var open = environment.IsDevelopment() && !keysConfigured && !HasJwt(configuration);
        foreach (var scope in Scopes.All)
        {
            authorization.AddPolicy(scope, policy =>
            {
                if (open)
                {
                    policy.RequireAssertion(_ => true);
                }
                else
                {
                    policy.RequireAuthenticatedUser().RequireAssertion(context => HasScope(context.User, scope));
                }
            });
        }

        return authorization;
    }

    // JWTs carry scopes space-separated in one "scope" claim (RFC 8693); API keys one claim per scope.
    private static bool HasScope(ClaimsPrincipal user, string scope) =>
        user.FindAll(Scopes.ClaimType).Any(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(scope)) ||
        user.FindAll("scp").Any(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(scope));

    internal static bool HasJwt(IConfiguration configuration) => !string.IsNullOrEmpty(configuration["Authentication:Jwt:Authority"]);

    /// <summary>Headers that stop the API reference page being framed or sniffed, on every response.</summary>
    /// <param name="app">The pipeline.</param>
    /// <param name="contentSecurityPolicy">The policy for a service that serves pages (the explorer); APIs keep <c>default-src 'none'</c>.</param>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, string? contentSecurityPolicy = null) => app.Use(async (context, next) =>
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/scalar")
            ? "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
            : contentSecurityPolicy ?? "default-src 'none'; frame-ancestors 'none'";
        await next();
    });

    /// <summary>Logs once at start-up when the APIs are open (Development without keys).</summary>
    public static void WarnIfOpen(this WebApplication app)
    {
        // Read from configuration, not IOptions: validation (and the refusal to start) belongs to start-up.
        if (!app.Configuration.GetSection($"{ApiKeyOptions.SectionName}:Keys").GetChildren().Any() && !HasJwt(app.Configuration))
        {
            app.Logger.LogWarning("No API keys are configured: the APIs accept anonymous requests (Development only). Configure ApiKeys:Keys to require keys.");
        }
    }
}
