namespace LogMonitoring.Simulator.Patterns;

/// <summary>Picks one of several outcomes with fixed weights (they need not add up to 1).</summary>
public sealed class WeightedChoice<T>
{
    private readonly T[] _items;
    private readonly double[] _cumulative;

    public WeightedChoice(params (T Item, double Weight)[] choices)
    {
        if (choices.Length == 0 || choices.Any(c => c.Weight < 0) || choices.Sum(c => c.Weight) <= 0)
        {
            throw new ArgumentException("Give at least one choice, no negative weight, and a positive total.", nameof(choices));
        }

        _items = choices.Select(c => c.Item).ToArray();
        _cumulative = new double[choices.Length];
        var total = choices.Sum(c => c.Weight);
        var sum = 0.0;
        for (var i = 0; i < choices.Length; i++)
        {
            sum += choices[i].Weight / total;
            _cumulative[i] = sum;
        }

        _cumulative[^1] = 1.0;
    }

    /// <summary>The share of picks each item gets in the long run.</summary>
    public double ShareOf(T item)
    {
        var share = 0.0;
        for (var i = 0; i < _items.Length; i++)
        {
            if (EqualityComparer<T>.Default.Equals(_items[i], item))
            {
                share += _cumulative[i] - (i == 0 ? 0 : _cumulative[i - 1]);
            }
        }

        return share;
    }

    /// <summary>Picks with a uniform number in [0, 1).</summary>
    public T Pick(double uniform)
    {
        var index = Array.BinarySearch(_cumulative, uniform);
        index = index >= 0 ? index + 1 : ~index;
        return _items[Math.Min(index, _items.Length - 1)];
    }

    public T Pick(Random random) => Pick(random.NextDouble());
}
