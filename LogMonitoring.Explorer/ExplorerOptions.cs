using System.ComponentModel.DataAnnotations;

namespace LogMonitoring.Explorer;

/// <summary>Where the explorer finds the stats service, and how much it keeps in memory per browser tab.</summary>
public sealed class ExplorerOptions
{
    public const string SectionName = "Explorer";

    /// <summary>The stats service's base address; <c>http://stats</c> resolves through service discovery.</summary>
    [Required]
    public Uri StatsUrl { get; set; } = new("http://stats");

    /// <summary>
    /// Prometheus, for the services page's pipeline health (ingest rate, consumer lag, dead letters, lost
    /// logs: the services' own metrics, which Prometheus scrapes). Empty: the page says it is not configured.
    /// </summary>
    public Uri? PrometheusUrl { get; set; }

    /// <summary>Logs fetched per search page (the stats API allows up to 1000).</summary>
    [Range(10, 1000)]
    public int PageSize { get; set; } = 200;

    /// <summary>Logs a live tail keeps; older ones fall off, so a fast stream cannot fill the server's memory.</summary>
    [Range(100, 100_000)]
    public int TailBufferSize { get; set; } = 2000;

    /// <summary>How often a live tail redraws the page: many logs per redraw, not one redraw per log.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:05")]
    public TimeSpan TailRenderInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}
