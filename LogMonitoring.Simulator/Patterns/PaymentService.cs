using System.Globalization;
using LogMonitoring.Contracts;

namespace LogMonitoring.Simulator.Patterns;

/// <summary>
/// Payments: one line per transaction (amount, currency, outcome), some declines, a few gateway
/// errors, and very rarely a FATAL outage of the card gateway.
/// </summary>
public sealed class PaymentService : SimulatedService
{
    public const string ServiceName = "payment-service";

    internal static readonly WeightedChoice<string> Outcomes = new(("approved", 93), ("declined", 5), ("error", 1.99), ("outage", 0.01));

    private static readonly WeightedChoice<string> s_currencies = new(("USD", 45), ("EUR", 35), ("GBP", 15), ("JPY", 5));
    private static readonly WeightedChoice<string> s_declines = new(("insufficient_funds", 50), ("card_expired", 20), ("fraud_suspected", 15), ("do_not_honor", 15));
    private static readonly string[] s_brands = ["visa", "mastercard", "amex"];

    public override string Name => ServiceName;

    public override SimulatedLog Normal(Random random) => Transaction(random, Outcomes.Pick(random));

    public override SimulatedLog Failure(Random random) => Transaction(random, random.NextDouble() < 0.02 ? "outage" : "error");

    private static SimulatedLog Transaction(Random random, string outcome)
    {
        var currency = s_currencies.Pick(random);
        var amount = Math.Round(Math.Exp(1 + (random.NextDouble() * 6)), currency == "JPY" ? 0 : 2);
        var transaction = "tx_" + ShortId(random);
        var text = amount.ToString(currency == "JPY" ? "0" : "0.00", CultureInfo.InvariantCulture);
        var metadata = new Dictionary<string, object>
        {
            ["transaction_id"] = transaction,
            ["amount"] = amount,
            ["currency"] = currency,
            ["outcome"] = outcome,
            ["card_brand"] = s_brands[random.Next(s_brands.Length)],
            ["merchant_id"] = "m_" + random.Next(100, 999).ToString(CultureInfo.InvariantCulture),
        };
        switch (outcome)
        {
            case "approved":
                return new SimulatedLog(LogEventLevel.Info, $"Payment {transaction} approved: {text} {currency}", metadata);
            case "declined":
                var reason = s_declines.Pick(random);
                metadata["decline_reason"] = reason;
                return new SimulatedLog(LogEventLevel.Warn, $"Payment {transaction} declined ({reason}): {text} {currency}", metadata);
            case "error":
                metadata["gateway"] = "cardnet";
                return new SimulatedLog(LogEventLevel.Error, $"Payment {transaction} failed: gateway timeout after 10000 ms", metadata);
            default:
                metadata["gateway"] = "cardnet";
                return new SimulatedLog(LogEventLevel.Fatal, "Card gateway unreachable: all payments are failing", metadata);
        }
    }
}
