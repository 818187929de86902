using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace LogMonitoring.ReliabilityTests.Infrastructure;

/// <summary>
/// One LogMonitoring service run as a plain child process (<c>dotnet Service.dll</c>) on a loopback
/// port chosen at run time, so a test can SIGKILL it, SIGTERM it, and start it again on the same port.
/// Its console output is kept so a test can look for a log line.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly string _dll;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    public ServiceProcess(string project, IReadOnlyDictionary<string, string> environment)
    {
        Name = project;
        _environment = environment;
        _dll = ServiceBuild.Dll(project);
        if (!File.Exists(_dll))
        {
            throw new FileNotFoundException($"Build the test project first: {_dll} is missing", _dll);
        }

        Port = FreePort();
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Name { get; }

    public int Port { get; }

    public HttpClient Client { get; }

    public int Starts { get; private set; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Everything the service wrote to its console, across every start.</summary>
    public IEnumerable<string> Output => _output;

    public void Start()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running");
        }

        var start = new ProcessStartInfo("dotnet", [_dll, "--urls", $"http://127.0.0.1:{Port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
        };
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process?.Dispose();
        _process = process;
        Starts++;
    }

    public async Task StartHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Start();
        await WaitHealthyAsync(timeout, cancellationToken);
    }

    /// <summary>Polls /health until it answers 200, failing early if the process exits.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer";
        while (clock.Elapsed < timeout)
        {
            if (_process is not { HasExited: false })
            {
                throw new InvalidOperationException($"{Name} exited while starting:\n{Tail()}");
            }

            (var status, last) = await HealthAsync(cancellationToken);
            if (status == HttpStatusCode.OK)
            {
                return;
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"{Name} was not healthy within {timeout}: {last}\n{Tail()}");
    }

    /// <summary>The readiness answer, or 0 and the error when nothing answers.</summary>
    public async Task<(HttpStatusCode Status, string Body)> HealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            using var response = await Client.GetAsync("/health", timeout.Token);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(timeout.Token));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (0, ex.Message);
        }
    }

    /// <summary>Polls /health until it answers <paramref name="wanted"/>; returns the last status seen.</summary>
    public async Task<HttpStatusCode> WaitForHealthAsync(HttpStatusCode wanted, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            (status, _) = await HealthAsync(cancellationToken);
            if (status == wanted)
            {
                return status;
            }

            await Task.Delay(200, cancellationToken);
        }
        while (clock.Elapsed < timeout);

        return status;
    }

    /// <summary>SIGKILL: the process gets no chance to flush, commit or leave its group.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: false);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM, as Kubernetes sends it, then waits for the drain to finish.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (_process is not { HasExited: false } process)
        {
            return _process?.ExitCode ?? 0;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout} of SIGTERM:\n{Tail()}");
        }

        return process.ExitCode;
    }

    /// <summary>Sums the samples of one Prometheus metric (every label set) from /metrics.</summary>
    public async Task<double> MetricAsync(string name, CancellationToken cancellationToken, string? label = null)
    {
        var text = await Client.GetStringAsync("/metrics", cancellationToken);
        return PrometheusText.Sum(text, name, label);
    }

    public string Tail(int lines = 40) => string.Join('\n', _output.TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        Client.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        // A long run keeps its last lines only; the ones that matter (errors, LOST) are rare.
        while (_output.Count > 20_000 && _output.TryDequeue(out _))
        {
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Where the services' build output is: next to their projects, built like the tests.</summary>
internal static class ServiceBuild
{
    /// <summary>Debug or Release: the tests and the services they start are built alike.</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string Dll(string project) => Path.Combine(
        TestSupport.RepositoryRoot.Path, $"LogMonitoring.{project}", "bin", Configuration, "net10.0", $"LogMonitoring.{project}.dll");
}

public static class PrometheusText
{
    /// <summary>
    /// The sum of the samples of <paramref name="name"/> whose labels include <paramref name="label"/>
    /// (such as <c>reason="not_json"</c>), or of all its samples; 0 when absent.
    /// </summary>
    public static double Sum(string text, string name, string? label = null)
    {
        var sum = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = line.AsSpan(name.Length);
            if (rest.Length == 0 || (rest[0] != ' ' && rest[0] != '{') || (label is not null && !rest.Contains(label, StringComparison.Ordinal)))
            {
                continue;
            }

            var value = line[(line.LastIndexOf('}') is var brace && brace > 0 ? brace + 1 : name.Length)..].Trim().Split(' ')[0];
            sum += double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        }

        return sum;
    }
}
