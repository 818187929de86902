using System.Text.RegularExpressions;
using LogMonitoring.TestSupport;

namespace LogMonitoring.RepositoryTests.Docs;

/// <summary>docs/api.md documents endpoints; the services' OpenAPI documents are the reference it must agree with.</summary>
public sealed partial class ApiReferenceTests(ServiceOpenApi openApi) : IClassFixture<ServiceOpenApi>
{
    // "## Ingest (http://localhost:5100)" and "## Stats (...)" open each service's part of the page.
    [GeneratedRegex(@"^## (?<service>Ingest|Stats)\b")]
    private static partial Regex ServiceHeading();

    // "### `GET /api/stats/hourly?service=&start=&end=`" names one endpoint; the query string is illustration.
    [GeneratedRegex(@"^### `(?<method>GET|POST|PUT|PATCH|DELETE) (?<path>/[^`?\s]*)")]
    private static partial Regex EndpointHeading();

    public static IEnumerable<(string Service, string Method, string Path)> DocumentedEndpoints()
    {
        string? service = null;
        foreach (var line in File.ReadLines(Path.Combine(RepositoryRoot.Path, "docs", "api.md")))
        {
            if (ServiceHeading().Match(line) is { Success: true } section)
            {
                service = section.Groups["service"].Value;
            }
            else if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                service = null;
            }
            else if (EndpointHeading().Match(line) is { Success: true } endpoint && service is not null)
            {
                yield return (service, endpoint.Groups["method"].Value, endpoint.Groups["path"].Value);
            }
        }
    }

    [Fact]
    public void The_page_documents_every_public_endpoint_family()
    {
        var documented = DocumentedEndpoints().ToList();

        Assert.Contains(("Ingest", "POST", "/api/logs"), documented);
        Assert.Contains(("Stats", "GET", "/api/logs"), documented);
        Assert.Contains(documented, e => e.Path.StartsWith("/api/stats/", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_documented_endpoint_exists_in_its_service_OpenAPI_document()
    {
        var operations = new Dictionary<string, HashSet<(string, string)>>
        {
            ["Ingest"] = ServiceOpenApi.Operations(openApi.Ingest),
            ["Stats"] = ServiceOpenApi.Operations(openApi.Stats),
        };

        var missing = DocumentedEndpoints()
            .Where(e => !operations[e.Service].Contains((e.Method, e.Path)))
            .Select(e => $"{e.Service}: {e.Method} {e.Path}")
            .ToList();

        Assert.True(missing.Count == 0, "docs/api.md documents endpoints its service does not have: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_stats_endpoint_in_the_OpenAPI_document_is_documented()
    {
        var documented = DocumentedEndpoints().Where(e => e.Service == "Stats").Select(e => (e.Method, e.Path)).ToHashSet();

        var undocumented = ServiceOpenApi.Operations(openApi.Stats)
            .Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal) && !documented.Contains(o))
            .Select(o => $"{o.Method} {o.Path}")
            .ToList();

        Assert.True(undocumented.Count == 0, "stats endpoints missing from docs/api.md: " + string.Join(", ", undocumented));
    }
}
