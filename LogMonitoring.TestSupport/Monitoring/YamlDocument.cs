using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace LogMonitoring.TestSupport.Monitoring;

/// <summary>
/// Reads a YAML file as a <see cref="JsonNode"/> tree, so Prometheus and Grafana YAML and Grafana's
/// JSON dashboards are walked the same way. Scalars stay strings: the tests compare text.
/// </summary>
public static class YamlDocument
{
    public static JsonNode? Load(string path)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            stream.Load(reader);
        }

        return stream.Documents.Count == 0 ? null : ToJson(stream.Documents[0].RootNode, path);
    }

    private static JsonNode? ToJson(YamlNode node, string path) => node switch
    {
        YamlMappingNode mapping => ToObject(mapping, path),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(c => ToJson(c, path)).ToArray()),
        YamlScalarNode { Value: null or "" or "~" or "null", Style: YamlDotNet.Core.ScalarStyle.Plain } => null,
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new InvalidDataException($"{path}: unsupported YAML node at {node.Start}"),
    };

    private static JsonObject ToObject(YamlMappingNode mapping, string path)
    {
        var result = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? "";
            // Both tools take the last of two equal keys without a word; a duplicate is always a mistake.
            if (result.ContainsKey(name))
            {
                throw new InvalidDataException($"{path}: key '{name}' appears twice at {key.Start}");
            }

            result[name] = ToJson(value, path);
        }

        return result;
    }
}
