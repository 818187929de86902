using System.Text.Json;
using LogMonitoring.Contracts;
using LogMonitoring.Simulator.Patterns;
using LogMonitoring.Simulator.Traffic;

namespace LogMonitoring.Tests.Simulator;

public sealed class PatternTests
{
    private const int Samples = 50_000;

    private static Dictionary<LogEventLevel, double> LevelShares(SimulatedService service, double? incidentErrorRate, int seed = 1)
    {
        var random = new Random(seed);
        var levels = Enumerable.Range(0, Samples).Select(_ => service.Next(random, incidentErrorRate).Level).ToList();
        return LogEventLevels.All.ToDictionary(l => l, l => levels.Count(x => x == l) / (double)Samples);
    }

    private static double ErrorShare(Dictionary<LogEventLevel, double> shares) => shares[LogEventLevel.Error] + shares[LogEventLevel.Fatal];

    [Fact]
    public void Api_service_is_mostly_info_with_occasional_5xx_errors()
    {
        var shares = LevelShares(new ApiService(), null);
        Assert.InRange(shares[LogEventLevel.Info], 0.70, 0.90);
        Assert.InRange(shares[LogEventLevel.Warn], 0.08, 0.20);
        Assert.InRange(shares[LogEventLevel.Debug], 0.03, 0.07);
        // 5xx make up 1.5% of requests: that and nothing else is an error.
        Assert.InRange(ErrorShare(shares), 0.010, 0.020);
        Assert.Equal(0, shares[LogEventLevel.Fatal]);
    }

    [Fact]
    public void Api_service_lines_carry_the_request_fields_and_errors_are_5xx()
    {
        var random = new Random(2);
        var service = new ApiService();
        for (var i = 0; i < 5000; i++)
        {
            var log = service.Normal(random);
            if (log.Level == LogEventLevel.Debug)
            {
                continue;
            }

            Assert.Contains("method", log.Metadata.Keys);
            Assert.Contains("path", log.Metadata.Keys);
            Assert.Contains("latency_ms", log.Metadata.Keys);
            Assert.Contains("user_id", log.Metadata.Keys);
            Assert.Contains("route", log.Metadata.Keys);
            var status = (int)log.Metadata["status"];
            Assert.Equal(status >= 500, log.Level == LogEventLevel.Error);
        }
    }

    [Fact]
    public void Payment_service_declines_some_and_rarely_has_an_outage()
    {
        var shares = LevelShares(new PaymentService(), null);
        Assert.InRange(shares[LogEventLevel.Info], 0.91, 0.95);
        Assert.InRange(shares[LogEventLevel.Warn], 0.04, 0.06);
        Assert.InRange(shares[LogEventLevel.Error], 0.015, 0.025);
        Assert.InRange(shares[LogEventLevel.Fatal], 0.0, 0.001);
        Assert.Equal(0.0001, PaymentService.Outcomes.ShareOf("outage"), 6);
    }

    [Fact]
    public void Payment_lines_carry_amount_currency_and_outcome()
    {
        var random = new Random(4);
        var log = new PaymentService().Normal(random);
        Assert.IsType<double>(log.Metadata["amount"]);
        Assert.Contains((string)log.Metadata["currency"], new[] { "USD", "EUR", "GBP", "JPY" });
        Assert.Contains((string)log.Metadata["outcome"], new[] { "approved", "declined", "error", "outage" });
    }

    [Fact]
    public void Auth_service_brute_force_burst_is_failures_for_one_account_then_a_lockout()
    {
        // Certain to start a burst on the first line.
        var service = new AuthService(burstProbability: 1.0);
        var random = new Random(5);
        var lines = Enumerable.Range(0, AuthService.LockoutThreshold + 2).Select(_ => service.Normal(random)).ToList();

        var user = lines[0].Metadata["user_id"];
        Assert.All(lines, l => Assert.Equal(user, l.Metadata["user_id"]));
        Assert.All(lines, l => Assert.Equal(lines[0].Metadata["ip"], l.Metadata["ip"]));
        Assert.All(lines.Take(AuthService.LockoutThreshold - 1), l => Assert.Equal(LogEventLevel.Warn, l.Level));
        Assert.Equal(LogEventLevel.Error, lines[AuthService.LockoutThreshold - 1].Level);
        Assert.Equal("lockout", lines[AuthService.LockoutThreshold - 1].Metadata["reason"]);
        Assert.Equal("account_locked", lines[^1].Metadata["reason"]);
    }

    [Fact]
    public void Auth_service_without_bursts_is_mostly_logins_and_refreshes()
    {
        var shares = LevelShares(new AuthService(burstProbability: 0), null);
        Assert.InRange(shares[LogEventLevel.Info] + shares[LogEventLevel.Debug], 0.90, 0.96);
        Assert.InRange(shares[LogEventLevel.Warn], 0.04, 0.08);
        Assert.Equal(0, ErrorShare(shares));
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void An_incident_raises_the_error_share_to_about_its_error_rate(double errorRate)
    {
        foreach (var service in new SimulatedService[] { new ApiService(), new AuthService(0), new PaymentService() })
        {
            var healthy = ErrorShare(LevelShares(service, null));
            var failing = ErrorShare(LevelShares(service, errorRate));
            Assert.True(failing > healthy, $"{service.Name}: the incident must raise the error share");
            Assert.InRange(failing, errorRate - 0.01, errorRate + healthy + 0.01);
        }
    }

    [Fact]
    public void Weighted_choice_follows_its_weights()
    {
        var choice = new WeightedChoice<string>(("a", 1), ("b", 3));
        Assert.Equal("a", choice.Pick(0.0));
        Assert.Equal("a", choice.Pick(0.2499));
        Assert.Equal("b", choice.Pick(0.25));
        Assert.Equal("b", choice.Pick(0.9999));
        Assert.Equal(0.25, choice.ShareOf("a"), 9);
        Assert.Throws<ArgumentException>(() => new WeightedChoice<string>(("a", 0)));
    }

    [Fact]
    public void A_batch_is_valid_ndjson_that_ingest_accepts_whole()
    {
        var random = new Random(6);
        var now = DateTimeOffset.UtcNow;
        SimulatedService[] services = [new ApiService(), new AuthService(), new PaymentService()];
        var lines = Enumerable.Range(0, 300).Select(i => services[i % 3]).Select(s => (s.Next(random, 0.2), s.Name, s.Name + "-1", now)).ToList();

        var body = NdjsonBatch.Write(lines);

        var parser = new LogBatchParser(new LogEventReader(new LogLimits()));
        Assert.Null(parser.Read(body, LogBatchFormat.Ndjson, now.UtcDateTime, out var batch));
        Assert.Empty(batch.Rejected);
        Assert.Equal(300, batch.Accepted.Count);
        Assert.Equal(300, batch.Accepted.Select(e => e.Id).Distinct().Count());
        Assert.Equal(lines.Select(l => l.Item1.Level), batch.Accepted.Select(e => e.Level));
        using var metadata = JsonDocument.Parse(batch.Accepted[0].MetadataJson!);
        Assert.Equal(JsonValueKind.String, metadata.RootElement.GetProperty("method").ValueKind);
    }
}
