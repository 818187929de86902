using System.Text.RegularExpressions;

namespace LogMonitoring.TestSupport;

/// <summary>How a documented shell block is checked: the comment on the line before its fence says.</summary>
public enum CommandMarker
{
    /// <summary>No marker.</summary>
    None,

    /// <summary><c>&lt;!-- runnable --&gt;</c>: needs nothing running; the repository tests run it.</summary>
    Runnable,

    /// <summary><c>&lt;!-- runnable: system --&gt;</c>: needs the local system; the integration tests run it against one.</summary>
    System,

    /// <summary>
    /// <c>&lt;!-- needs: WHAT --&gt;</c> (a cluster, Google Cloud, a container registry, ...): needs what only a real
    /// environment has; checked, not run.
    /// </summary>
    Needs,
}

/// <summary>
/// One ```bash block of README.md or docs/*.md: where it starts, its marker, what a <c>needs:</c> marker
/// names, the HTTP statuses its marker allows besides success (<c>&lt;!-- runnable: system, answers 400 --&gt;</c>),
/// and its text.
/// </summary>
public sealed record ShellBlock(string File, int Line, CommandMarker Marker, IReadOnlyList<int> Answers, string Script, string? Needs = null)
{
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>Reads the shell blocks of the user documentation, with their markers.</summary>
public static partial class DocumentedCommands
{
    /// <summary>README.md and every docs/*.md, relative to the repository root.</summary>
    public static IReadOnlyList<string> Documents() =>
        ["README.md", .. Directory.EnumerateFiles(RepositoryRoot.PathOf("docs"), "*.md").Select(p => $"docs/{Path.GetFileName(p)}").Order()];

    public static IReadOnlyList<ShellBlock> Read(string document) =>
        Parse(document, File.ReadAllLines(RepositoryRoot.PathOf(document.Split('/'))));

    /// <summary>Blocks fenced ```bash, ```sh or ```shell; a marker is the last non-blank line before the fence.</summary>
    public static IReadOnlyList<ShellBlock> Parse(string document, IReadOnlyList<string> lines)
    {
        var blocks = new List<ShellBlock>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Trim() is not ("```bash" or "```sh" or "```shell"))
            {
                continue;
            }

            var previous = i - 1;
            while (previous >= 0 && lines[previous].Trim().Length == 0)
            {
                previous--;
            }

            var end = i + 1;
            while (end < lines.Count && lines[end].Trim() != "```")
            {
                end++;
            }

            var (kind, answers, needs) = previous >= 0 ? ReadMarker(document, previous + 1, lines[previous].Trim()) : (CommandMarker.None, [], null);
            blocks.Add(new ShellBlock(document, i + 2, kind, answers, string.Join('\n', lines.Skip(i + 1).Take(end - i - 1)), needs));
            i = end;
        }

        return blocks;
    }

    /// <summary>True when a block runs curl, kubectl or the load generator: the commands a reader copies.</summary>
    public static bool RunsServiceCommands(ShellBlock block) => ServiceCommand().IsMatch(block.Script);

    /// <summary>Each curl command of a block, its continuation lines joined.</summary>
    public static IEnumerable<string> CurlCommands(ShellBlock block) =>
        block.Script.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n')
            .SelectMany(line => line.Split('|'))
            .Select(part => part.Trim())
            .Where(part => CurlStart().IsMatch(part));

    private static (CommandMarker, IReadOnlyList<int>, string?) ReadMarker(string document, int line, string text)
    {
        if (!text.StartsWith("<!--", StringComparison.Ordinal))
        {
            return (CommandMarker.None, [], null);
        }

        var match = MarkerLine().Match(text);
        if (!match.Success)
        {
            throw new InvalidOperationException($"{document} line {line}: '{text}' is not a command marker; use <!-- runnable -->, <!-- runnable: system -->, <!-- runnable: system, answers 400 --> or <!-- needs: a cluster -->.");
        }

        if (match.Groups["needs"].Success)
        {
            return (CommandMarker.Needs, [], match.Groups["needs"].Value);
        }

        var answers = match.Groups["answers"].Success
            ? match.Groups["answers"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList()
            : [];
        return (match.Groups["system"].Success ? CommandMarker.System : CommandMarker.Runnable, answers, null);
    }

    [GeneratedRegex(@"^<!-- (runnable(?<system>: system(, answers (?<answers>[0-9 ]+))?)?|needs: (?<needs>[^>]+?)) -->$")]
    private static partial Regex MarkerLine();

    [GeneratedRegex(@"(^|[\s;&|(])(curl|kubectl)\s|LogMonitoring\.LoadGen|(^|\s)loadgen\s", RegexOptions.Multiline)]
    private static partial Regex ServiceCommand();

    [GeneratedRegex(@"^(\w+=\S*\s+)*curl\s")]
    private static partial Regex CurlStart();
}
