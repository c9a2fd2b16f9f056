using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LookupDecode.Server.OpenAi;

/// <summary><c>"stop"</c>: a string or an array of strings (OpenAI allows up to 4; we allow more).</summary>
internal sealed class StopSequencesConverter : JsonConverter<List<string>?>
{
    public override List<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return [reader.GetString()!];
            case JsonTokenType.StartArray:
                var stops = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    stops.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException("must be a string or an array of strings"));
                }

                return stops;
            default:
                throw new JsonException("must be a string or an array of strings");
        }
    }

    public override void Write(Utf8JsonWriter writer, List<string>? value, JsonSerializerOptions options)
        => throw new NotSupportedException("requests are only read");
}

/// <summary>A message's <c>"content"</c>: a string, null, or an array of parts of which only text parts are served.</summary>
internal sealed class MessageContentConverter : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.StartArray:
                var text = new StringBuilder();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    using var part = JsonDocument.ParseValue(ref reader);
                    var root = part.RootElement;
                    if (root.ValueKind != JsonValueKind.Object
                        || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                        || type.GetString() != "text"
                        || !root.TryGetProperty("text", out var partText) || partText.ValueKind != JsonValueKind.String)
                    {
                        throw new JsonException("content parts other than {\"type\":\"text\",\"text\":…} are not supported");
                    }

                    text.Append(partText.GetString());
                }

                return text.ToString();
            default:
                throw new JsonException("must be a string or an array of content parts");
        }
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
        => throw new NotSupportedException("requests are only read");
}

/// <summary><c>"prompt"</c>: a string, an array of strings, an array of token ids, or an array of such arrays.</summary>
internal sealed class PromptInputConverter : JsonConverter<PromptInput?>
{
    public override PromptInput? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        switch (root.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return new PromptInput(root.GetString(), null, 1);
            case JsonValueKind.Array when root.GetArrayLength() == 0:
                throw new JsonException("must not be empty");
            case JsonValueKind.Array:
                var first = root[0];
                if (first.ValueKind == JsonValueKind.Number)
                {
                    return new PromptInput(null, Tokens(root), 1);
                }

                var count = root.GetArrayLength();
                return first.ValueKind switch
                {
                    JsonValueKind.String when root.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String) => new PromptInput(first.GetString(), null, count),
                    JsonValueKind.Array when root.EnumerateArray().All(item => item.ValueKind == JsonValueKind.Array) => new PromptInput(null, Tokens(first), count),
                    _ => throw new JsonException("must be a string, an array of strings, an array of token ids or an array of token-id arrays"),
                };
            default:
                throw new JsonException("must be a string, an array of strings, an array of token ids or an array of token-id arrays");
        }
    }

    public override void Write(Utf8JsonWriter writer, PromptInput? value, JsonSerializerOptions options)
        => throw new NotSupportedException("requests are only read");

    private static int[] Tokens(JsonElement array)
    {
        var tokens = new int[array.GetArrayLength()];
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            tokens[index++] = item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out var token)
                ? token
                : throw new JsonException("token ids must be 32-bit integers");
        }

        return tokens;
    }
}
