using Microsoft.AspNetCore.Components.Server.ProtectedBrowserStorage;

namespace LogMonitoring.Explorer.StatsApi;

/// <summary>
/// The user's API key for this browser tab: kept in session storage, encrypted by ASP.NET Core data
/// protection (<see cref="ProtectedSessionStorage"/>), so it lasts until the tab closes and never travels
/// in a URL. The circuit holds it in memory once read; it is sent only as the X-Api-Key header.
/// </summary>
public sealed class ApiKeySession(ProtectedSessionStorage storage)
{
    private const string StorageKey = "logmonitoring.api-key";
    private bool _loaded;

    public string? Key { get; private set; }

    public event Action? Changed;

    /// <summary>Reads the key from the tab's storage once per circuit (JavaScript interop: not during prerendering).</summary>
    public async Task<string?> LoadAsync()
    {
        if (!_loaded)
        {
            try
            {
                var stored = await storage.GetAsync<string>(StorageKey);
                Key = stored.Success ? stored.Value : null;
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // Written under another data-protection key (the server restarted without a persisted key ring): ask again.
                Key = null;
            }

            _loaded = true;
        }

        return Key;
    }

    public async Task SignInAsync(string key)
    {
        await storage.SetAsync(StorageKey, key);
        Key = key;
        _loaded = true;
        Changed?.Invoke();
    }

    public async Task SignOutAsync()
    {
        await storage.DeleteAsync(StorageKey);
        Key = null;
        Changed?.Invoke();
    }
}
