using System.Text.RegularExpressions;

namespace LogMonitoring.RepositoryTests.Docs;

/// <summary>
/// Every curl, kubectl and load generator command in README.md and docs/ either runs in a test or says it
/// needs a cluster, and every call to an API that needs a key sends one.
/// </summary>
public sealed partial class DocumentedCommandTests
{
    public static TheoryData<string> Documents() => new(DocumentedCommands.Documents());

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_service_command_is_run_by_a_test_or_marked_as_needing_a_cluster(string document)
    {
        // The local system is there in the tests: a command that only needs it is run, not excused.
        var unmarked = DocumentedCommands.Read(document)
            .Where(b => DocumentedCommands.RunsServiceCommands(b) && (b.Marker == CommandMarker.None || b.Needs == "a running system"))
            .Select(b => b.ToString())
            .ToList();

        Assert.True(unmarked.Count == 0,
            $"Mark these blocks <!-- runnable -->, <!-- runnable: system --> (run against the local system) or <!-- needs: a cluster -->: {string.Join(", ", unmarked)}");
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_call_to_an_api_that_needs_a_key_sends_one(string document)
    {
        // A block that shows the 401 on purpose is the exception.
        var keyless = DocumentedCommands.Read(document)
            .Where(b => !b.Answers.Contains(401))
            .SelectMany(b => DocumentedCommands.CurlCommands(b).Select(c => (Block: b, Command: c)))
            .Where(c => NeedsKey(c.Command) && !SendsKey(c.Command))
            .Select(c => $"{c.Block}: {c.Command}")
            .ToList();

        Assert.True(keyless.Count == 0, $"These calls need an API key and send none:\n{string.Join('\n', keyless)}");
    }

    [Fact]
    public void Markers_are_read_with_the_statuses_they_allow()
    {
        string[] lines =
        [
            "<!-- runnable: system, answers 400 401 -->", "```bash", "curl -s localhost:5200/api/logs", "```",
            "<!-- needs: a cluster -->", "", "```bash", "kubectl get pods", "```",
            "```bash", "curl -s localhost:5100/health", "```",
            "<!-- runnable -->", "```bash", "dotnet --version", "```",
        ];

        var blocks = DocumentedCommands.Parse("doc.md", lines);

        Assert.Equal([CommandMarker.System, CommandMarker.Needs, CommandMarker.None, CommandMarker.Runnable], blocks.Select(b => b.Marker));
        Assert.Equal([400, 401], blocks[0].Answers);
        Assert.Equal("a cluster", blocks[1].Needs);
        Assert.Equal(3, blocks[0].Line);
        Assert.Throws<InvalidOperationException>(() => DocumentedCommands.Parse("doc.md", ["<!-- runnable: sometimes -->", "```bash", "true", "```"]));
    }

    [Fact]
    public void A_call_to_an_api_without_a_key_is_found()
    {
        var block = new ShellBlock("doc.md", 1, CommandMarker.System, [], "curl -s 'http://localhost:5200/api/logs?limit=1'\ncurl -s localhost:5100/health");

        Assert.Equal([true, false], DocumentedCommands.CurlCommands(block).Select(c => NeedsKey(c) && !SendsKey(c)));
    }

    // The simulator's incident API (5400) is local tooling without keys; /health, /alive and /metrics are open.
    private static bool NeedsKey(string curl) =>
        ApiPath().IsMatch(curl) && !curl.Contains(":5400", StringComparison.Ordinal);

    private static bool SendsKey(string curl) => KeyHeader().IsMatch(curl);

    [GeneratedRegex(@"(/api/|/_bulk|/v1/logs|/loki/api/|/gelf|/ingest/clef)")]
    private static partial Regex ApiPath();

    [GeneratedRegex(@"(X-Api-Key|X-Seq-ApiKey|Authorization:|\s-u\s|--user\s|-H\s+""?\$K""?)", RegexOptions.IgnoreCase)]
    private static partial Regex KeyHeader();
}
