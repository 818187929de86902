using System.Text;
using LogMonitoring.Contracts;
using LogMonitoring.Ingest.Pipeline;

namespace LogMonitoring.Ingest.Formats.Loki;

/// <summary>Parses a stream's labels in the Prometheus text form Loki's protobuf carries: <c>{job="api", env="prod"}</c>.</summary>
public static class LokiLabels
{
    public static List<KeyValuePair<string, string>> Parse(string text)
    {
        var labels = new List<KeyValuePair<string, string>>();
        var span = text.AsSpan().Trim();
        if (span.Length >= 2 && span[0] == '{' && span[^1] == '}')
        {
            span = span[1..^1];
        }

        var i = 0;
        while (i < span.Length)
        {
            while (i < span.Length && (span[i] == ',' || char.IsWhiteSpace(span[i])))
            {
                i++;
            }

            var nameStart = i;
            while (i < span.Length && span[i] != '=')
            {
                i++;
            }

            if (i >= span.Length)
            {
                break;
            }

            var name = span[nameStart..i].Trim().ToString();
            i++;
            while (i < span.Length && char.IsWhiteSpace(span[i]))
            {
                i++;
            }

            if (i >= span.Length || span[i] != '"')
            {
                throw new IngestBodyException(RequestErrorCodes.InvalidBody, "labels", $"'{TextPreview.Of(text)}' is not a label set such as {{job=\"api\"}}");
            }

            i++;
            var value = new StringBuilder();
            while (i < span.Length && span[i] != '"')
            {
                if (span[i] == '\\' && i + 1 < span.Length)
                {
                    i++;
                    value.Append(span[i] switch { 'n' => '\n', 't' => '\t', var c => c });
                }
                else
                {
                    value.Append(span[i]);
                }

                i++;
            }

            if (i >= span.Length)
            {
                throw new IngestBodyException(RequestErrorCodes.InvalidBody, "labels", $"'{TextPreview.Of(text)}' has an unterminated label value");
            }

            i++;
            labels.Add(KeyValuePair.Create(name, value.ToString()));
        }

        return labels;
    }
}
