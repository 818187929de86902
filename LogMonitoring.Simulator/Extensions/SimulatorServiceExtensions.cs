using LogMonitoring.Simulator;
using LogMonitoring.Simulator.Patterns;
using LogMonitoring.Simulator.Traffic;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Simulator.Extensions;

/// <summary>The simulator's wiring: its options, the ingest client and one worker per simulated service.</summary>
public static class SimulatorServiceExtensions
{
    public static IHostApplicationBuilder AddSimulatorServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SimulatorOptions>().BindConfiguration(SimulatorOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SimulatorMetrics>();
        builder.Services.AddSingleton<IncidentSwitch>();

        // "http://ingest" is resolved by service discovery from services:ingest:http:0 (the AppHost sets it).
        builder.Services.AddHttpClient<IngestSender>((sp, http) =>
        {
            var options = sp.GetRequiredService<IOptions<SimulatorOptions>>().Value;
            http.BaseAddress = new Uri(options.IngestUrl ?? "http://ingest");
            if (!string.IsNullOrEmpty(options.ApiKey))
            {
                http.DefaultRequestHeaders.Add("X-Api-Key", options.ApiKey);
            }
        });

        // One worker per simulated service, each with its own pattern instance (they keep state, such as a brute-force burst).
        SimulatedService[] services = [new ApiService(), new AuthService(), new PaymentService()];
        foreach (var service in services)
        {
            builder.Services.AddSingleton(service);
            builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<SimulatedServiceWorker>(sp, service));
        }

        builder.Services.AddHostedService<StartupIncident>();
        builder.Services.AddOpenApi();
        return builder;
    }
}
