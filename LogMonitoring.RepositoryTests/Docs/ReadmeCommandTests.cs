using System.Diagnostics;
using LogMonitoring.TestSupport;

namespace LogMonitoring.RepositoryTests.Docs;

/// <summary>
/// The README's shell blocks marked <c>&lt;!-- runnable --&gt;</c> (commands that need no running system)
/// are run from the repository root exactly as written, so they cannot rot unnoticed.
/// </summary>
public sealed class ReadmeCommandTests
{
    public const string Marker = "<!-- runnable -->";

    /// <summary>Each marked block's first line number (1-based) and text.</summary>
    public static IReadOnlyList<(int Line, string Script)> RunnableBlocks(IReadOnlyList<string> lines)
    {
        var blocks = new List<(int, string)>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Trim() != Marker)
            {
                continue;
            }

            var fence = i + 1;
            if (fence >= lines.Count || lines[fence].Trim() is not ("```bash" or "```sh" or "```shell"))
            {
                throw new InvalidOperationException($"README.md line {i + 1}: {Marker} must sit on the line before a ```bash fence.");
            }

            var end = fence + 1;
            while (end < lines.Count && lines[end].Trim() != "```")
            {
                end++;
            }

            blocks.Add((fence + 2, string.Join('\n', lines.Skip(fence + 1).Take(end - fence - 1))));
            i = end;
        }

        return blocks;
    }

    public static TheoryData<int> ReadmeBlocks()
    {
        var data = new TheoryData<int>();
        foreach (var (line, _) in RunnableBlocks(ReadReadme()))
        {
            data.Add(line);
        }

        return data;
    }

    [Fact]
    public void The_README_marks_runnable_blocks()
    {
        Assert.NotEmpty(RunnableBlocks(ReadReadme()));
    }

    [Fact]
    public void A_marker_without_a_shell_fence_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => RunnableBlocks([Marker, "", "```bash", "true", "```"]));
    }

    [Theory]
    [MemberData(nameof(ReadmeBlocks))]
    public async Task A_runnable_README_block_succeeds(int line)
    {
        var script = RunnableBlocks(ReadReadme()).Single(b => b.Line == line).Script;
        var start = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script])
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(process.ExitCode == 0,
            $"README.md block at line {line} exited with {process.ExitCode}:\n{script}\n--- stdout\n{await output}\n--- stderr\n{await error}");
    }

    private static string[] ReadReadme() => File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "README.md"));
}
