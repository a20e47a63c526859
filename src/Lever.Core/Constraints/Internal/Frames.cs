namespace Lever.Core.Constraints.Internal;

/// <summary>One level of the pushdown automaton's stack (immutable: a step makes new frames, states share parents).</summary>
internal abstract record Frame
{
    /// <summary>The container this frame's value is written into (null at the top level).</summary>
    public abstract Frame? Parent { get; init; }
}

/// <summary>A value of <paramref name="Schema"/> is expected next (whitespace may come first).</summary>
internal sealed record ValueFrame(Frame? Parent, SchemaNode Schema) : Frame;

/// <summary>Inside a string value.</summary>
internal sealed record StringFrame(Frame? Parent, StringLex Lex) : Frame;

internal enum NumberPhase { Minus, Zero, Int, Dot, Frac, Exp, ExpSign, ExpDigits }

/// <summary>Inside a number (RFC 8259 grammar); <paramref name="IntegerOnly"/> refuses fraction and exponent.</summary>
internal sealed record NumberFrame(Frame? Parent, NumberPhase Phase, bool IntegerOnly, int Length) : Frame
{
    public bool CanEnd => Phase is NumberPhase.Zero or NumberPhase.Int or NumberPhase.Frac or NumberPhase.ExpDigits;
}

/// <summary>Inside one of fixed texts (an enum/const value, true, false, null): the ones still matching after <paramref name="Pos"/> bytes.</summary>
internal sealed record EnumFrame(Frame? Parent, byte[][] Candidates, int Pos) : Frame
{
    public bool CanEnd => Candidates.Any(c => c.Length == Pos);

    public int MinFinish => Candidates.Min(c => c.Length - Pos);
}

internal enum ObjectPhase { AfterOpen, InKey, AfterKey, InValue, AfterValue, AfterComma }

/// <summary>
/// Inside an object: which properties were seen (bit mask), the property whose key or value is being written
/// (<paramref name="Current"/>, -1 for an additional key), and while in a key, the properties whose key still matches.
/// </summary>
internal sealed record ObjectFrame(Frame? Parent, SchemaNode Schema, ObjectPhase Phase, ulong Seen, int Current, int[] Candidates, int KeyPos, StringLex Lex)
    : Frame
{
    public SchemaNode CurrentSchema => Current >= 0 ? Schema.Properties[Current].Schema : SchemaNode.Any;

    public ulong CurrentBit => Current >= 0 ? 1UL << Current : 0;
}

internal enum ArrayPhase { AfterOpen, InValue, AfterValue, AfterComma }

/// <summary>Inside an array with <paramref name="Count"/> items written.</summary>
internal sealed record ArrayFrame(Frame? Parent, SchemaNode Schema, ArrayPhase Phase, int Count) : Frame;
