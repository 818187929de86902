using LogMonitoring.Storage.Search;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Stats.Apis;

/// <summary>Counts the live tails each API key holds open, up to <see cref="SearchOptions.MaxTailsPerKey"/>.</summary>
public sealed class TailRegistry(IOptions<SearchOptions> options)
{
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);

    public int Limit => options.Value.MaxTailsPerKey;

    /// <summary>A slot for one more tail of <paramref name="key"/>, released on dispose; null when the key holds its limit.</summary>
    public IDisposable? TryOpen(string key)
    {
        lock (_open)
        {
            var open = _open.GetValueOrDefault(key);
            if (open >= Limit)
            {
                return null;
            }

            _open[key] = open + 1;
            return new Slot(this, key);
        }
    }

    public int OpenFor(string key)
    {
        lock (_open)
        {
            return _open.GetValueOrDefault(key);
        }
    }

    private void Release(string key)
    {
        lock (_open)
        {
            if (_open.TryGetValue(key, out var open) && open > 1)
            {
                _open[key] = open - 1;
            }
            else
            {
                _open.Remove(key);
            }
        }
    }

    private sealed class Slot(TailRegistry registry, string key) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                registry.Release(key);
            }
        }
    }
}
