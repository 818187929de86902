using System.Diagnostics;
using System.Text;
using LogMonitoring.TestSupport;

namespace LogMonitoring.IntegrationTests;

/// <summary>
/// The documentation's <c>&lt;!-- runnable: system --&gt;</c> blocks, run as a reader would run them after
/// <c>dotnet run --project LogMonitoring.AppHost</c> (with the simulator started): each document's blocks in
/// order in one shell, against a system of their own whose ports replace the documented ones. A block
/// passes when it exits 0 and every HTTP answer is a success, or a status its marker names.
/// </summary>
public sealed class DocumentedSystemCommandTests(DocumentedSystemFixture system) : IClassFixture<DocumentedSystemFixture>
{
    private const string BlockTag = "@@BLOCK ";
    private const string StatusTag = "@@HTTP ";

    // Every curl reports its status on stderr, unless the command chose its own --write-out.
    private const string Prelude = """
        set -euo pipefail
        curl() {
          local arg
          for arg in "$@"; do
            case "$arg" in -w|--write-out|-w*) command curl "$@"; return ;; esac
          done
          command curl -w '%{stderr}@@HTTP %{http_code} %{url_effective}\n' "$@"
        }

        """;

    public static TheoryData<string> Documents() => new(
        DocumentedCommands.Documents().Where(d => DocumentedCommands.Read(d).Any(b => b.Marker == CommandMarker.System)));

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task The_documents_system_commands_answer_as_shown(string document)
    {
        var blocks = DocumentedCommands.Read(document).Where(b => b.Marker == CommandMarker.System).ToList();
        var script = new StringBuilder(Prelude);
        foreach (var block in blocks)
        {
            script.Append($"echo '{BlockTag}{block.Line}' >&2\n").Append(system.Localize(block.Script)).Append('\n');
        }

        var (exitCode, output, error) = await RunAsync(script.ToString());

        var problems = new List<string>();
        if (exitCode != 0)
        {
            problems.Add($"the script exited with {exitCode} in the block at line {LastBlock(error)}");
        }

        foreach (var block in blocks)
        {
            var statuses = StatusesOf(error, block.Line);
            problems.AddRange(statuses.Where(s => s.Code is < 200 or >= 400 && !block.Answers.Contains(s.Code))
                .Select(s => $"{block}: {s.Code} from {s.Url}"));
            // A command that prints its own status (--write-out) reports none here; the others must show the promised answer.
            problems.AddRange(block.Answers.Where(a => statuses.Count > 0 && statuses.All(s => s.Code != a))
                .Select(a => $"{block}: its marker promises a {a} answer, and none came"));
        }

        Assert.True(problems.Count == 0, $"{document}:\n{string.Join('\n', problems)}\n--- stdout\n{output}\n--- stderr\n{error}");
    }

    private static string LastBlock(string error) =>
        error.Split('\n').LastOrDefault(l => l.StartsWith(BlockTag, StringComparison.Ordinal))?[BlockTag.Length..] ?? "(none)";

    private static List<(int Code, string Url)> StatusesOf(string error, int line)
    {
        var statuses = new List<(int, string)>();
        var inside = false;
        foreach (var text in error.Split('\n'))
        {
            if (text.StartsWith(BlockTag, StringComparison.Ordinal))
            {
                inside = text[BlockTag.Length..] == line.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (inside && text.StartsWith(StatusTag, StringComparison.Ordinal))
            {
                var parts = text[StatusTag.Length..].Split(' ', 2);
                statuses.Add((int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), parts.ElementAtOrDefault(1) ?? ""));
            }
        }

        return statuses;
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string script)
    {
        var start = new ProcessStartInfo("bash", ["-c", script])
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(8));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }
}
