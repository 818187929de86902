using LogMonitoring.Explorer.Components;
using LogMonitoring.Explorer.StatsApi;
using LogMonitoring.ServiceDefaults.Security;
using Microsoft.Extensions.Options;
using Microsoft.FluentUI.AspNetCore.Components;

namespace LogMonitoring.Explorer.Extensions;

/// <summary>The explorer's wiring: Blazor (interactive server), Fluent UI, the stats API client, the key ring replicas share, and private metrics.</summary>
public static class ExplorerExtensions
{
    /// <summary>
    /// Scripts only from this origin (no inline script, no eval), so a log message can never run as code.
    /// Styles allow inline because Fluent UI's web components and plotly.js set style attributes.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IHostApplicationBuilder AddExplorerServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ExplorerOptions>().BindConfiguration(ExplorerOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddSharedKeyRing(builder.Configuration);
        // Where /metrics must stay private (ApiKeys:ProtectMetrics, the cluster), ingest's and stats' API-key
        // scheme guards it: only a key with metrics:read. The pages take no key of the explorer's own.
        if (builder.Configuration.GetValue<bool>($"{ApiKeyOptions.SectionName}:{nameof(ApiKeyOptions.ProtectMetrics)}"))
        {
            builder.AddApiSecurity();
        }

        builder.Services.AddFluentUIComponents();
        builder.Services.AddScoped<ApiKeySession>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<StatsClient>();
        builder.Services.AddHttpClient(StatsClient.ClientName, ConfigureStats);
        // A live tail is one response that lasts as long as the user watches: no attempt timeout, no retry.
#pragma warning disable EXTEXP0001 // Experimental, and the supported way to opt one client out of the defaults' resilience handler.
        builder.Services.AddHttpClient(StatsClient.TailClientName, ConfigureStats).RemoveAllResilienceHandlers()
            .ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan);
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton<PrometheusClient>();
        builder.Services.AddHttpClient(PrometheusClient.ClientName, (services, http) =>
            http.BaseAddress = services.GetRequiredService<IOptions<ExplorerOptions>>().Value.PrometheusUrl);
        return builder;
    }

    private static void ConfigureStats(IServiceProvider services, HttpClient http) =>
        http.BaseAddress = services.GetRequiredService<IOptions<ExplorerOptions>>().Value.StatsUrl;

    public static WebApplication MapExplorer(this WebApplication app)
    {
        app.UseAntiforgery();
        app.MapStaticAssets();
        // The shared security headers already forbid framing (frame-ancestors 'none'); Blazor need not add its own policy.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(options => options.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }
}
