using System.Diagnostics;
using System.Text.RegularExpressions;


namespace LogMonitoring.RepositoryTests.Docs;

/// <summary>
/// Every shell block of the deployment and operations guides says whether it runs here: a block marked
/// <c>&lt;!-- runnable --&gt;</c> is run from the repository root exactly as written (with the GKE
/// settings example as settings file); any other carries <c>&lt;!-- needs: WHAT --&gt;</c>, naming what
/// only a real environment has. An unmarked block fails, so a new command cannot slip in untried.
/// </summary>
public sealed partial class DocsCommandTests
{
    public static readonly string[] Documents = ["docs/ci-cd.md", "docs/deploy-gke.md", "docs/operations.md", "docs/deploy-k8s-local.md", "docs/monitoring.md"];

    /// <summary>What a block may need instead of being run here.</summary>
    public static readonly string[] Needs = ["a cluster", "Google Cloud", "a running system", "a container registry", "a container engine", "Aspirate"];

    public static TheoryData<string, int> RunnableBlocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var document in Documents)
        {
            foreach (var block in Blocks(document).Where(b => b.Marker == "runnable"))
            {
                data.Add(document, block.Line);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DocumentNames))]
    public void Every_shell_block_is_runnable_or_says_what_it_needs(string document)
    {
        var blocks = Blocks(document);
        Assert.NotEmpty(blocks);
        var unmarked = blocks.Where(b => b.Marker is null).Select(b => $"{document}:{b.Line}").ToList();
        Assert.True(unmarked.Count == 0, $"shell blocks without <!-- runnable --> or <!-- needs: ... -->: {string.Join(", ", unmarked)}");
        var unknown = blocks.Where(b => b.Marker is { } m && m != "runnable" && !Needs.Contains(m)).Select(b => $"{document}:{b.Line} needs '{b.Marker}'").ToList();
        Assert.True(unknown.Count == 0, $"needs one of {string.Join(", ", Needs)}: {string.Join("; ", unknown)}");
    }

    public static TheoryData<string> DocumentNames() => new(Documents);

    [Theory]
    [MemberData(nameof(RunnableBlocks))]
    public async Task A_runnable_block_succeeds(string document, int line)
    {
        var script = Blocks(document).Single(b => b.Line == line).Script;
        var home = Directory.CreateTempSubdirectory("docs-home-").FullName;
        var start = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script])
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                // Nothing a block writes may land in the user's home, and the GKE steps read the settings example.
                ["HOME"] = home,
                ["GKE_CONFIG"] = Path.Combine(RepositoryRoot.Path, "deploy", "gke", "gke.env.example"),
            },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(process.ExitCode == 0,
            $"{document} block at line {line} exited with {process.ExitCode}:\n{script}\n--- stdout\n{await output}\n--- stderr\n{await error}");
    }

    [Fact]
    public void Markers_are_read_from_the_line_before_the_fence()
    {
        var blocks = Parse(["text", "<!-- needs: a cluster -->", "```bash", "kubectl get pods", "```", "", "```sh", "ls", "```", "<!-- runnable -->", "```bash", "true", "```"]);
        Assert.Equal([("a cluster", 4), (null, 8), ("runnable", 12)], blocks.Select(b => (b.Marker, b.Line)));
    }

    /// <summary>The shell blocks of a document: first line (1-based), marker, text.</summary>
    internal static IReadOnlyList<(int Line, string? Marker, string Script)> Blocks(string document) =>
        Parse(File.ReadAllLines(Path.Combine(RepositoryRoot.Path, document)));

    private static List<(int Line, string? Marker, string Script)> Parse(IReadOnlyList<string> lines)
    {
        var blocks = new List<(int, string?, string)>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].TrimStart() is not ("```bash" or "```sh" or "```shell"))
            {
                continue;
            }

            var previous = i - 1;
            while (previous >= 0 && lines[previous].Trim().Length == 0)
            {
                previous--;
            }

            var marker = previous >= 0 && Marker().Match(lines[previous].Trim()) is { Success: true } m ? m.Groups["what"].Value.Trim() : null;
            var end = i + 1;
            while (end < lines.Count && lines[end].Trim() != "```")
            {
                end++;
            }

            blocks.Add((i + 2, marker, string.Join('\n', lines.Skip(i + 1).Take(end - i - 1))));
            i = end;
        }

        return blocks;
    }

    [GeneratedRegex(@"^<!--\s*(?:needs:\s*)?(?<what>[^>]+?)\s*-->$")]
    private static partial Regex Marker();
}
