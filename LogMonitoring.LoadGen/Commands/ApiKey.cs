namespace LogMonitoring.LoadGen.Commands;

/// <summary>
/// The API key the load generator sends as <c>X-Api-Key</c>: the environment variable
/// <c>LOGMON_API_KEY</c> (the AppHost's development key is <c>logmon-dev-key</c>).
/// </summary>
public static class ApiKey
{
    public const string Variable = "LOGMON_API_KEY";

    public static HttpClient Apply(HttpClient client)
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } key)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return client;
    }
}
