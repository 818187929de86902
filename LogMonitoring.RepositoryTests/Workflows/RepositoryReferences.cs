using System.Text.RegularExpressions;

namespace LogMonitoring.RepositoryTests.Workflows;

/// <summary>A path in the repository that a workflow (or a deploy/ci script it calls) relies on.</summary>
internal sealed record RepositoryReference(string Path, string Where);

/// <summary>
/// Finds the repository paths a workflow names: in its shell steps, its action inputs, its hashFiles()
/// patterns and its local actions, and in the deploy/ci scripts those steps call.
/// </summary>
internal static partial class RepositoryReferences
{
    // A token is taken to be a repository path when it starts with one of the repository's folders
    // (a project folder counts) or is a solution, project or SDK file at the top.
    private static readonly string[] TopFolders = [".ci", ".github", "deploy", "docs", "grafana"];
    private static readonly string[] TopFileSuffixes = [".sln", ".slnx", ".csproj", ".props", ".targets", "global.json"];
    private static readonly string[] NotRepositoryFolders = [".git", "bin", "obj", "node_modules", "TestResults"];

    public static IReadOnlyList<RepositoryReference> In(Workflow workflow)
    {
        var references = new List<RepositoryReference>();
        foreach (var step in workflow.Steps)
        {
            var where = $"{workflow.FileName}: {step.Label}";
            if (step.Run is { } run)
            {
                references.AddRange(InText(run).Select(path => new RepositoryReference(path, where)));
            }

            foreach (var (key, value) in step.With)
            {
                references.AddRange(InText(value).Select(path => new RepositoryReference(path, $"{where}, input {key}")));
            }

            if (step.Uses is { } uses && uses.StartsWith("./", StringComparison.Ordinal))
            {
                references.Add(new RepositoryReference(uses[2..].Split('@')[0], where));
            }
        }

        foreach (var (location, value) in workflow.Scalars())
        {
            foreach (Match call in HashFilesCall().Matches(value))
            {
                references.AddRange(QuotedArgument().Matches(call.Groups["args"].Value)
                    .Select(argument => new RepositoryReference(argument.Groups["value"].Value, $"{workflow.FileName}: {location}, hashFiles")));
            }
        }

        // The small scripts the workflow calls name projects and paths of their own.
        var scripts = references
            .Where(r => r.Path.StartsWith("deploy/ci/", StringComparison.Ordinal) && r.Path.EndsWith(".sh", StringComparison.Ordinal))
            .Select(r => r.Path)
            .Distinct()
            .Where(path => File.Exists(System.IO.Path.Combine(RepositoryRoot.Path, path)))
            .ToList();
        foreach (var script in scripts)
        {
            var text = File.ReadAllText(System.IO.Path.Combine(RepositoryRoot.Path, script));
            references.AddRange(InText(text).Select(path => new RepositoryReference(path, $"{script} (called by {workflow.FileName})")));
        }

        return references;
    }

    /// <summary>The tokens of a shell line or an input value that name repository paths.</summary>
    public static IEnumerable<string> InText(string text)
    {
        foreach (var raw in TokenSeparators().Split(text))
        {
            var token = raw.TrimEnd('.', ':');
            if (token.Length == 0 || token.StartsWith('-') || token.IndexOfAny(['$', '{', '}', '~', '@']) >= 0 || token.Contains("://", StringComparison.Ordinal))
            {
                continue;
            }

            var slash = token.IndexOf('/', StringComparison.Ordinal);
            var names = slash < 0
                ? TopFileSuffixes.Any(suffix => token.EndsWith(suffix, StringComparison.Ordinal))
                : TopFolders.Contains(token[..slash]) || token.StartsWith("LogMonitoring.", StringComparison.Ordinal);
            if (names)
            {
                yield return token.TrimEnd('/');
            }
        }
    }

    /// <summary>A plain path exists as a file or folder; a glob must match at least one file.</summary>
    public static bool Exists(string path)
    {
        if (path.IndexOfAny(['*', '?']) < 0)
        {
            var full = System.IO.Path.Combine(RepositoryRoot.Path, path);
            return File.Exists(full) || Directory.Exists(full);
        }

        var pattern = GlobToRegex(path);
        return RepositoryFiles().Any(pattern.IsMatch);
    }

    public static Regex GlobToRegex(string glob)
    {
        var regex = Regex.Escape(glob)
            .Replace(@"\*\*/", "(?:.*/)?", StringComparison.Ordinal)
            .Replace(@"\*\*", ".*", StringComparison.Ordinal)
            .Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            .Replace(@"\?", "[^/]", StringComparison.Ordinal);
        return new Regex($"^{regex}$", RegexOptions.CultureInvariant);
    }

    private static IEnumerable<string> RepositoryFiles()
    {
        var pending = new Stack<string>([RepositoryRoot.Path]);
        while (pending.TryPop(out var directory))
        {
            foreach (var file in Directory.EnumerateFiles(directory))
            {
                yield return System.IO.Path.GetRelativePath(RepositoryRoot.Path, file).Replace('\\', '/');
            }

            foreach (var child in Directory.EnumerateDirectories(directory))
            {
                if (!NotRepositoryFolders.Contains(System.IO.Path.GetFileName(child)))
                {
                    pending.Push(child);
                }
            }
        }
    }

    [GeneratedRegex("""[\s"'`=,;|&<>()\[\]]+""")]
    private static partial Regex TokenSeparators();

    [GeneratedRegex(@"hashFiles\((?<args>[^)]*)\)")]
    private static partial Regex HashFilesCall();

    [GeneratedRegex("'(?<value>[^']*)'")]
    private static partial Regex QuotedArgument();
}
