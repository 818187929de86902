namespace LogMonitoring.ReliabilityTests.Infrastructure;

/// <summary>
/// One summary line per fault test, in the test output and in the console, in the form
/// docs/reliability.md tabulates: what was injected, how often, and what was lost or duplicated.
/// </summary>
public static class FaultReport
{
    public static void Print(string fault, int injected, string load, long lost, long duplicated, string? detail = null)
    {
        var line = $"FAULT {fault}: injected {injected}x; {load}; lost {lost}, duplicated {duplicated}" + (detail is null ? "" : $"; {detail}");
        TestContext.Current.SendDiagnosticMessage(line);
        TestContext.Current.TestOutputHelper?.WriteLine(line);
    }
}
