using LogMonitoring.Contracts;

namespace LogMonitoring.Simulator.Patterns;

/// <summary>
/// Authentication: logins (mostly successful), failed attempts, token refreshes, and now and then a
/// brute-force burst: a run of failed logins for one account from one address, ending in a lockout.
/// Not thread-safe: each worker owns its instance.
/// </summary>
public sealed class AuthService(double burstProbability = 0.002) : SimulatedService
{
    public const string ServiceName = "auth-service";

    /// <summary>Failed attempts in a row that lock an account.</summary>
    public const int LockoutThreshold = 5;

    private static readonly WeightedChoice<string> s_events = new(("login", 55), ("refresh", 35), ("login_failed", 6), ("logout", 4));
    private static readonly WeightedChoice<string> s_methods = new(("password", 70), ("oauth", 20), ("mfa", 10));

    private Burst? _burst;

    public override string Name => ServiceName;

    public override SimulatedLog Normal(Random random)
    {
        if (_burst is null && random.NextDouble() < burstProbability)
        {
            _burst = new Burst(UserId(random), IpAddress(random), random.Next(LockoutThreshold + 5, 60));
        }

        if (_burst is { } burst)
        {
            return BurstAttempt(burst);
        }

        var user = UserId(random);
        var ip = IpAddress(random);
        return s_events.Pick(random) switch
        {
            "login" => new SimulatedLog(LogEventLevel.Info, $"User {user} logged in", Meta(user, ip, ("method", s_methods.Pick(random)))),
            "refresh" => new SimulatedLog(random.NextDouble() < 0.5 ? LogEventLevel.Debug : LogEventLevel.Info, $"Access token refreshed for user {user}",
                Meta(user, ip, ("token_ttl_s", 900))),
            "login_failed" => new SimulatedLog(LogEventLevel.Warn, $"Login failed for user {user}: invalid credentials", Meta(user, ip, ("reason", "invalid_credentials"))),
            _ => new SimulatedLog(LogEventLevel.Info, $"User {user} logged out", Meta(user, ip)),
        };
    }

    public override SimulatedLog Failure(Random random)
    {
        var user = UserId(random);
        return random.NextDouble() < 0.7
            ? new SimulatedLog(LogEventLevel.Error, $"Login for user {user} failed: identity provider timed out", Meta(user, IpAddress(random), ("reason", "idp_timeout")))
            : new SimulatedLog(LogEventLevel.Error, "Token signing key unavailable: refreshes are failing", Meta(user, IpAddress(random), ("reason", "signing_key_unavailable")));
    }

    private SimulatedLog BurstAttempt(Burst burst)
    {
        burst.Attempts++;
        if (burst.Attempts == LockoutThreshold)
        {
            return new SimulatedLog(LogEventLevel.Error, $"Account {burst.User} locked after {LockoutThreshold} failed logins from {burst.Ip}",
                Meta(burst.User, burst.Ip, ("reason", "lockout"), ("attempts", burst.Attempts)));
        }

        if (burst.Attempts >= burst.Length)
        {
            _burst = null;
        }

        return burst.Attempts < LockoutThreshold
            ? new SimulatedLog(LogEventLevel.Warn, $"Login failed for user {burst.User}: invalid credentials", Meta(burst.User, burst.Ip, ("reason", "invalid_credentials"), ("attempts", burst.Attempts)))
            : new SimulatedLog(LogEventLevel.Warn, $"Login refused for locked account {burst.User}", Meta(burst.User, burst.Ip, ("reason", "account_locked"), ("attempts", burst.Attempts)));
    }

    private static Dictionary<string, object> Meta(string user, string ip, params (string Key, object Value)[] more)
    {
        var metadata = new Dictionary<string, object> { ["user_id"] = user, ["ip"] = ip };
        foreach (var (key, value) in more)
        {
            metadata[key] = value;
        }

        return metadata;
    }

    private sealed class Burst(string user, string ip, int length)
    {
        public string User { get; } = user;

        public string Ip { get; } = ip;

        public int Length { get; } = length;

        public int Attempts { get; set; }
    }
}
