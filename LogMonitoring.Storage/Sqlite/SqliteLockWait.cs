using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace LogMonitoring.Storage.Sqlite;

/// <summary>
/// How a connection waits for the write lock another process holds: it asks again every millisecond until the
/// timeout. SQLite's own wait (<c>PRAGMA busy_timeout</c>) sleeps in growing steps of up to 100 ms, so after a
/// holder let go the lock sat idle for tens of milliseconds while the next writer slept; with two persister
/// replicas and the stats service taking turns, that idle time was lost between every batch.
/// </summary>
internal static partial class SqliteLockWait
{
    /// <summary>The pause between two tries for the lock.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromMilliseconds(1);

    // When the current wait of this thread began: SQLite calls the handler on the thread running the statement.
    [ThreadStatic]
    private static long t_waitStarted;

    /// <summary>Installs the wait on an open connection (it replaces any <c>busy_timeout</c>); a timeout of zero means no wait, as in SQLite.</summary>
    public static unsafe void Install(SqliteConnection connection, TimeSpan timeout)
    {
        var milliseconds = (nint)Math.Clamp((long)timeout.TotalMilliseconds, 0, int.MaxValue);
        var result = sqlite3_busy_handler(connection.Handle!.DangerousGetHandle(), &OnBusy, milliseconds);
        if (result != 0)
        {
            throw new InvalidOperationException($"sqlite3_busy_handler failed with result code {result}.");
        }
    }

    /// <summary>
    /// Whether to try again, after how long: never later than <see cref="Step"/>, until <paramref name="timeout"/>
    /// has passed since the first try (then SQLite answers SQLITE_BUSY, as its own wait would).
    /// </summary>
    public static TimeSpan? NextTry(TimeSpan waited, TimeSpan timeout) => waited < timeout ? Step : null;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnBusy(nint timeoutMilliseconds, int tries)
    {
        if (tries == 0)
        {
            t_waitStarted = Stopwatch.GetTimestamp();
        }

        if (NextTry(Stopwatch.GetElapsedTime(t_waitStarted), TimeSpan.FromMilliseconds(timeoutMilliseconds)) is not { } pause)
        {
            return 0;
        }

        Thread.Sleep(pause);
        return 1;
    }

    // The same native library Microsoft.Data.Sqlite loaded; SQLitePCLRaw 2 does not expose this function.
    [LibraryImport("e_sqlite3")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe partial int sqlite3_busy_handler(nint db, delegate* unmanaged[Cdecl]<nint, int, int> handler, nint argument);
}
