namespace Lever.Lab.Import;

/// <summary>
/// Which fields of a team's file hold the input and the output: <c>text</c>/<c>label</c>, <c>input</c>/<c>output</c>,
/// chat <c>messages</c> (the last assistant turn is the output, the turns before it the input), or names the user gave.
/// </summary>
/// <param name="Input">The input field (<c>messages</c> for chat data).</param>
/// <param name="Output">The output field (<c>messages</c> for chat data: its last assistant turn).</param>
/// <param name="Chat">True for chat-format rows.</param>
/// <param name="Order">A time or sequence field the split can follow, when there is one.</param>
public sealed record DataFields(string Input, string Output, bool Chat = false, string? Order = null)
{
    /// <summary>Field names the lab recognises as an order (time or sequence) without being told.</summary>
    public static IReadOnlyList<string> OrderNames { get; } = ["timestamp", "time", "date", "created_at", "created", "seq"];

    /// <summary>One line for the report: "text → label", "messages (last assistant turn is the output)".</summary>
    public string Describe() => (Chat ? "messages (the last assistant turn is the output)" : $"{Input} → {Output}") + (Order is null ? "" : $"; order: {Order}");
}
