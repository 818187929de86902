namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// A stand-in for kubectl that the deploy scripts find first on PATH: it records every call and answers
/// with scripted output (see RecordingKubectl/kubectl), so deploy, rollback and their failure paths run
/// for real without a cluster. <c>kubectl kustomize</c> is handed to the real kubectl, which renders offline.
/// </summary>
internal sealed class RecordingKubectl : IDisposable
{
    private const char ArgumentSeparator = '\x1f';

    private readonly string _directory = Directory.CreateTempSubdirectory("recording-kubectl-").FullName;
    private int _rules;

    public RecordingKubectl()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "bin"));
        Directory.CreateDirectory(Path.Combine(_directory, "out"));
        Directory.CreateDirectory(Path.Combine(_directory, "err"));
        var script = Path.Combine(_directory, "bin", "kubectl");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Deploy", "RecordingKubectl", "kubectl"), script);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        File.WriteAllText(RulesFile, "");
        File.WriteAllText(CallsFile, "");

        // Rendering is offline and real, so the applied manifest is exactly what a cluster would get.
        PassThrough("kustomize *");
    }

    /// <summary>The environment that puts the stand-in first on PATH, for the script under test.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["PATH"] = $"{Path.Combine(_directory, "bin")}{Path.PathSeparator}{System.Environment.GetEnvironmentVariable("PATH")}",
        ["FAKE_KUBECTL_DIR"] = _directory,
        ["FAKE_KUBECTL_REAL"] = RealKubectl,
    };

    /// <summary>Every call made so far, each as its argument list.</summary>
    public IReadOnlyList<string[]> Calls =>
        File.ReadAllLines(CallsFile).Select(line => line.Split(ArgumentSeparator)).ToList();

    /// <summary>Every call made so far, each as its arguments joined by spaces.</summary>
    public IReadOnlyList<string> CallLines => Calls.Select(call => string.Join(' ', call)).ToList();

    /// <summary>The manifests given to <c>kubectl apply -f</c>, in order.</summary>
    public IReadOnlyList<string> Applied
    {
        get
        {
            var folder = Path.Combine(_directory, "applied");
            return Directory.Exists(folder)
                ? Directory.GetFiles(folder).OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f))).Select(File.ReadAllText).ToList()
                : [];
        }
    }

    private string RulesFile => Path.Combine(_directory, "rules");

    private string CallsFile => Path.Combine(_directory, "calls");

    private static string RealKubectl { get; } =
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(folder => Path.Combine(folder, "kubectl"))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("kubectl must be on PATH: the deploy tests render the overlays with it.");

    /// <summary>
    /// Answers calls whose arguments, joined by spaces, match <paramref name="pattern"/> (a bash glob).
    /// Earlier rules win; a rule given <paramref name="once"/> answers one call only, so a sequence of
    /// once-rules followed by a lasting one scripts how an answer changes over time.
    /// </summary>
    public RecordingKubectl Answer(string pattern, string output = "", int exitCode = 0, string error = "", bool once = false)
    {
        var id = Interlocked.Increment(ref _rules);
        File.WriteAllText(Path.Combine(_directory, "out", id.ToString()), output);
        File.WriteAllText(Path.Combine(_directory, "err", id.ToString()), error);
        File.AppendAllText(RulesFile, $"{id}\t{(once ? "once" : "always")}\t{exitCode}\t{pattern}\n");
        return this;
    }

    /// <summary>Hands calls matching <paramref name="pattern"/> to the real kubectl.</summary>
    public RecordingKubectl PassThrough(string pattern)
    {
        var id = Interlocked.Increment(ref _rules);
        File.AppendAllText(RulesFile, $"{id}\treal\t0\t{pattern}\n");
        return this;
    }

    /// <summary>The position of the first call containing <paramref name="text"/>, or -1.</summary>
    public int IndexOf(string text) => CallLines.ToList().FindIndex(line => line.Contains(text, StringComparison.Ordinal));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the folder is under the temp directory.
        }
    }
}
