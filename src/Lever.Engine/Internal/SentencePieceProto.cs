namespace Lever.Engine.Internal;

/// <summary>
/// A structural check of a SentencePiece tokenizer.model (a ModelProto in protobuf wire format) before
/// Microsoft.ML.Tokenizers reads it: that reader dereferences missing sub-messages (a truncated file ends in a
/// NullReferenceException), so every field must be well-formed and the pieces, trainer_spec and normalizer_spec present.
/// </summary>
internal static class SentencePieceProto
{
    /// <summary>The first structural problem of <paramref name="bytes"/>, or null when the wire format is sound.</summary>
    public static string? Problem(ReadOnlySpan<byte> bytes)
    {
        int pieces = 0;
        bool trainer = false, normalizer = false;
        var position = 0;
        while (position < bytes.Length)
        {
            if (Field(bytes, ref position, out var field, out var payload) is { } bad) return bad;
            switch (field)
            {
                case 1:
                    if (Fields(payload, out var pieceFields) is { } badPiece) return $"piece {pieces}: {badPiece}";
                    if (!pieceFields.Contains(1)) return $"piece {pieces} has no text";
                    pieces++;
                    break;
                case 2:
                    if (Fields(payload, out _) is { } badTrainer) return $"trainer_spec: {badTrainer}";
                    trainer = true;
                    break;
                case 3:
                    if (Fields(payload, out _) is { } badNormalizer) return $"normalizer_spec: {badNormalizer}";
                    normalizer = true;
                    break;
            }
        }
        if (pieces == 0) return "no pieces (the vocabulary is empty)";
        if (!trainer) return "no trainer_spec";
        if (!normalizer) return "no normalizer_spec";
        return null;
    }

    private static string? Fields(ReadOnlySpan<byte> message, out HashSet<int> fields)
    {
        fields = [];
        var position = 0;
        while (position < message.Length)
        {
            if (Field(message, ref position, out var field, out _) is { } bad) return bad;
            fields.Add(field);
        }
        return null;
    }

    /// <summary>Reads one field at <paramref name="position"/>; <paramref name="payload"/> is a length-delimited field's bytes.</summary>
    private static string? Field(ReadOnlySpan<byte> bytes, ref int position, out int field, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        field = 0;
        var start = position;
        if (!Varint(bytes, ref position, out var tag)) return $"truncated field tag at byte {start}";
        field = (int)Math.Min(tag >> 3, int.MaxValue);
        if (field == 0) return $"field number 0 at byte {start}";
        switch (tag & 7)
        {
            case 0:
                return Varint(bytes, ref position, out _) ? null : $"truncated number at byte {start}";
            case 1:
                return (position += 8) <= bytes.Length ? null : $"truncated 8-byte field at byte {start}";
            case 5:
                return (position += 4) <= bytes.Length ? null : $"truncated 4-byte field at byte {start}";
            case 2:
                if (!Varint(bytes, ref position, out var length) || length > (ulong)(bytes.Length - position))
                    return $"field {field} at byte {start} is longer than the file";
                payload = bytes.Slice(position, (int)length);
                position += (int)length;
                return null;
            default:
                return $"unknown wire type {tag & 7} at byte {start}";
        }
    }

    private static bool Varint(ReadOnlySpan<byte> bytes, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= bytes.Length) return false;
            var b = bytes[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }
}
