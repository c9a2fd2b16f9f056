using System.Runtime.InteropServices;
using LookupDecode.Gguf;

namespace LookupDecode.Fuzz;

/// <summary>
/// Mutations of a real model that keep the file well-formed GGUF but change what it means: hyperparameter values and
/// types, keys added or removed, vocabulary arrays (duplicates, empties, lost byte tokens, types, tokenizer model),
/// tensor types of the same size, and non-finite or overflowing weights. What llama.cpp does with each is the question.
/// </summary>
internal sealed class SemanticMutator(GgufFile source, byte[][] tensorData, Random random)
{
    private static readonly string[] OptionalKeys =
    [
        "expert_count", "expert_used_count", "rope.dimension_count", "rope.scaling.type", "rope.scaling.factor", "rope.freq_base",
        "attention.key_length", "attention.value_length", "attention.head_count_kv", "attention.layer_norm_rms_epsilon",
        "attention.sliding_window", "rope.scaling.attn_factor", "vocab_size", "attention.logit_softcapping", "feed_forward_length",
    ];

    private static readonly string[] TokenizerKeys =
    [
        "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.padding_token_id",
        "tokenizer.ggml.add_bos_token", "tokenizer.ggml.add_eos_token", "tokenizer.ggml.pre", "tokenizer.ggml.model", "tokenizer.ggml.precompiled_charsmap",
    ];

    public List<string> Applied { get; } = [];

    public GgufWriter Mutate()
    {
        var metadata = source.Metadata.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        var types = source.Tensors.ToDictionary(tensor => tensor.Name, tensor => tensor.Type, StringComparer.Ordinal);
        var data = tensorData.Select(bytes => bytes).ToArray();
        var count = 1 + random.Next(3);
        for (var i = 0; i < count; i++)
        {
            switch (random.Next(6))
            {
                case 0:
                    MutateHyperparameter(metadata);
                    break;
                case 1:
                    AddOrRemoveKey(metadata);
                    break;
                case 2:
                case 3:
                    MutateVocabulary(metadata);
                    break;
                case 4:
                    MutateTensorType(types);
                    break;
                default:
                    MutateTensorData(data);
                    break;
            }
        }

        var writer = new GgufWriter(source.Alignment);
        foreach (var (key, value) in metadata)
        {
            if (key != "general.alignment")
            {
                writer.AddMetadata(key, value);
            }
        }

        for (var t = 0; t < source.Tensors.Count; t++)
        {
            var tensor = source.Tensors[t];
            writer.AddTensor(tensor.Name, tensor.Dimensions, types[tensor.Name], data[t]);
        }

        return writer;
    }

    private void MutateHyperparameter(Dictionary<string, GgufMetadataValue> metadata)
    {
        var keys = metadata.Keys.Where(key => key.StartsWith("llama.", StringComparison.Ordinal)).ToArray();
        var key = keys[random.Next(keys.Length)];
        var value = SpecialValue(metadata[key], metadata);
        metadata[key] = value;
        Applied.Add($"{key} = {value.Type} {value}");
    }

    private GgufMetadataValue SpecialValue(GgufMetadataValue current, Dictionary<string, GgufMetadataValue> metadata)
    {
        var layers = (int)Math.Clamp(metadata.TryGetValue("llama.block_count", out var blocks) ? blocks.AsInt64() ?? 1 : 1, 0, 64);
        var number = current.AsDouble() ?? 1;
        return random.Next(14) switch
        {
            0 => GgufMetadataValue.Of(0u),
            1 => GgufMetadataValue.Of(-1),
            2 => GgufMetadataValue.Of(uint.MaxValue),
            3 => new(GgufValueType.UInt64, ulong.MaxValue - (ulong)random.Next(10)),
            4 => GgufMetadataValue.Of(float.NaN),
            5 => GgufMetadataValue.Of(random.Next(2) == 0 ? float.PositiveInfinity : -1e30f),
            6 => GgufMetadataValue.Of((float)(number * (random.NextDouble() * 4))),
            7 => GgufMetadataValue.Of((uint)Math.Max(0, number + random.Next(-3, 4))),
            8 => GgufMetadataValue.Of((uint)Math.Max(0, number * 2)),
            9 => GgufMetadataValue.Of((uint)Math.Max(0, number / 2)),
            10 => GgufMetadataValue.Of(new GgufArray(GgufValueType.UInt32, Enumerable.Range(0, layers).Select(_ => (uint)random.Next(0, 17)).ToArray())),
            11 => GgufMetadataValue.Of(new GgufArray(GgufValueType.Float32, Enumerable.Range(0, layers).Select(_ => (float)number).ToArray())),
            12 => GgufMetadataValue.Of(random.Next(2) == 0 ? "yarn" : "bogus"),
            _ => GgufMetadataValue.Of((uint)random.Next(0, 1025)),
        };
    }

    private void AddOrRemoveKey(Dictionary<string, GgufMetadataValue> metadata)
    {
        if (random.Next(3) == 0)
        {
            var present = metadata.Keys.Where(key => key != "general.architecture").ToArray();
            var removed = present[random.Next(present.Length)];
            metadata.Remove(removed);
            Applied.Add($"removed {removed}");
            return;
        }

        if (random.Next(2) == 0)
        {
            var key = "llama." + OptionalKeys[random.Next(OptionalKeys.Length)];
            metadata[key] = SpecialValue(metadata.GetValueOrDefault(key) ?? GgufMetadataValue.Of(1u), metadata);
            Applied.Add($"{key} = {metadata[key]}");
            return;
        }

        var tokenizerKey = TokenizerKeys[random.Next(TokenizerKeys.Length)];
        var vocabulary = metadata.GetValueOrDefault("tokenizer.ggml.tokens")?.AsArray()?.Length ?? 1;
        metadata[tokenizerKey] = tokenizerKey switch
        {
            "tokenizer.ggml.add_bos_token" or "tokenizer.ggml.add_eos_token" => GgufMetadataValue.Of(random.Next(2) == 0),
            "tokenizer.ggml.pre" => GgufMetadataValue.Of(new[] { "default", "llama3", "glm4", "chatglm-bpe", "qwen2", "bogus" }[random.Next(6)]),
            "tokenizer.ggml.model" => GgufMetadataValue.Of(new[] { "llama", "gpt2", "bert", "t5", "rwkv", "plamo2", "none", "no_vocab" }[random.Next(8)]),
            "tokenizer.ggml.precompiled_charsmap" => GgufMetadataValue.Of(new GgufArray(GgufValueType.UInt8, RandomBytes(random.Next(0, 64)))),
            _ => random.Next(3) switch
            {
                0 => GgufMetadataValue.Of((uint)vocabulary),
                1 => GgufMetadataValue.Of(-5),
                _ => GgufMetadataValue.Of((uint)random.Next(vocabulary)),
            },
        };
        Applied.Add($"{tokenizerKey} = {metadata[tokenizerKey]}");
    }

    private void MutateVocabulary(Dictionary<string, GgufMetadataValue> metadata)
    {
        if (metadata.GetValueOrDefault("tokenizer.ggml.tokens")?.AsArray()?.Items is not string[] texts)
        {
            return;
        }

        var tokens = (string[])texts.Clone();
        switch (random.Next(7))
        {
            case 0:
                var from = random.Next(tokens.Length);
                var to = random.Next(tokens.Length);
                tokens[to] = tokens[from];
                Applied.Add($"token {to} = token {from} ('{tokens[from]}')");
                break;
            case 1:
                var empty = random.Next(tokens.Length);
                tokens[empty] = "";
                Applied.Add($"token {empty} emptied");
                break;
            case 2:
                var lost = 0;
                for (var i = 0; i < tokens.Length; i++)
                {
                    if (tokens[i].StartsWith("<0x", StringComparison.Ordinal) && random.Next(3) == 0)
                    {
                        tokens[i] = $"<lost{i}>";
                        lost++;
                    }
                }

                Applied.Add($"{lost} byte tokens renamed");
                break;
            case 3:
                Array.Resize(ref tokens, Math.Max(1, random.Next(tokens.Length)));
                Applied.Add($"vocabulary cut to {tokens.Length}");
                break;
            case 4:
                var types = Enumerable.Range(0, tokens.Length).Select(_ => random.Next(0, 8)).ToArray();
                metadata["tokenizer.ggml.token_type"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.Int32, types));
                Applied.Add("random token types");
                break;
            case 5:
                var scores = Enumerable.Range(0, tokens.Length).Select(_ => random.Next(4) == 0 ? float.NaN : (float)random.NextDouble()).ToArray();
                metadata["tokenizer.ggml.scores"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.Float32, scores));
                Applied.Add("random scores with NaN");
                break;
            default:
                var bert = random.Next(tokens.Length);
                tokens[bert] = "##" + tokens[bert];
                Applied.Add($"token {bert} given a WordPiece prefix");
                break;
        }

        metadata["tokenizer.ggml.tokens"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.String, tokens));
    }

    private void MutateTensorType(Dictionary<string, GgmlType> types)
    {
        var names = types.Keys.ToArray();
        var name = names[random.Next(names.Length)];
        var changed = types[name] switch
        {
            GgmlType.F32 => random.Next(2) == 0 ? GgmlType.I32 : GgmlType.F32,
            GgmlType.F16 => new[] { GgmlType.I16, GgmlType.BF16 }[random.Next(2)],
            GgmlType.Q8_0 => GgmlType.Q8_0,
            var other => other,
        };
        types[name] = changed;
        Applied.Add($"{name} typed {changed}");
    }

    private void MutateTensorData(byte[][] data)
    {
        var index = random.Next(data.Length);
        var tensor = source.Tensors[index];
        var bytes = (byte[])data[index].Clone();
        if (tensor.Type == GgmlType.F32)
        {
            var floats = MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
            var value = new[] { float.NaN, float.PositiveInfinity, 3e38f, -3e38f, 0f }[random.Next(5)];
            var start = random.Next(floats.Length);
            floats.Slice(start, Math.Min(floats.Length - start, 1 + random.Next(64))).Fill(value);
            Applied.Add($"{tensor.Name}[{start}..] = {value}");
        }
        else if (bytes.Length > 2)
        {
            var at = random.Next(bytes.Length - 1);
            bytes[at] = 0xFF;
            bytes[at + 1] = 0x7F;
            Applied.Add($"{tensor.Name} bytes {at}..{at + 1} = FF 7F");
        }

        data[index] = bytes;
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
