using System.Text.Json;
using System.Text.Json.Serialization;

namespace LogMonitoring.LoadGen.Commands;

/// <summary>Human-readable lines go to stderr, so stdout carries only the JSON summary a script reads.</summary>
internal static class Output
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static void Write<T>(T summary, bool json, IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            (json ? Console.Error : Console.Out).WriteLine(line);
        }

        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(summary, s_json));
        }
    }
}
