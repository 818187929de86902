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

    /// <summary><c>&lt;!-- needs-cluster --&gt;</c>: needs a Kubernetes cluster or a cloud project; checked, not run.</summary>
    NeedsCluster,
}

/// <summary>
/// One ```bash block of README.md or docs/*.md: where it starts, its marker, the HTTP statuses its marker
/// allows besides success (<c>&lt;!-- runnable: system, answers 400 --&gt;</c>), and its text.
/// </summary>
public sealed record ShellBlock(string File, int Line, CommandMarker Marker, IReadOnlyList<int> Answers, string Script)
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

    /// <summary>Blocks fenced ```bash, ```sh or ```shell; a marker must sit on the line right before the fence.</summary>
    public static IReadOnlyList<ShellBlock> Parse(string document, IReadOnlyList<string> lines)
    {
        var blocks = new List<ShellBlock>();
        for (var i = 0; i < lines.Count; i++)
        {
            var marker = MarkerLine().Match(lines[i].Trim());
            if (lines[i].Trim() is not ("```bash" or "```sh" or "```shell"))
            {
                if (marker.Success && (i + 1 >= lines.Count || lines[i + 1].Trim() is not ("```bash" or "```sh" or "```shell")))
                {
                    throw new InvalidOperationException($"{document} line {i + 1}: a command marker must sit on the line before a ```bash fence.");
                }

                continue;
            }

            var end = i + 1;
            while (end < lines.Count && lines[end].Trim() != "```")
            {
                end++;
            }

            var (kind, answers) = i > 0 ? ReadMarker(lines[i - 1].Trim()) : (CommandMarker.None, []);
            blocks.Add(new ShellBlock(document, i + 2, kind, answers, string.Join('\n', lines.Skip(i + 1).Take(end - i - 1))));
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

    private static (CommandMarker, IReadOnlyList<int>) ReadMarker(string line)
    {
        var match = MarkerLine().Match(line);
        if (!match.Success)
        {
            return (CommandMarker.None, []);
        }

        var kind = match.Groups["kind"].Value switch
        {
            "runnable" => CommandMarker.Runnable,
            "runnable: system" => CommandMarker.System,
            _ => CommandMarker.NeedsCluster,
        };
        var answers = match.Groups["answers"].Success
            ? match.Groups["answers"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList()
            : [];
        return (kind, answers);
    }

    [GeneratedRegex(@"^<!-- (?<kind>runnable: system|runnable|needs-cluster)(, answers (?<answers>[0-9 ]+))? -->$")]
    private static partial Regex MarkerLine();

    [GeneratedRegex(@"(^|[\s;&|(])(curl|kubectl)\s|LogMonitoring\.LoadGen|(^|\s)loadgen\s", RegexOptions.Multiline)]
    private static partial Regex ServiceCommand();

    [GeneratedRegex(@"^(\w+=\S*\s+)*curl\s")]
    private static partial Regex CurlStart();
}
