namespace Lever.Server.FineTuning;

/// <summary>
/// Which of Lever's trainers a job runs, from the request's <c>method.lever</c> (an extra field beside OpenAI's
/// <c>method.type: supervised</c>): LoRA, the default and what OpenAI's supervised jobs map to; QLoRA (LoRA on an NF4
/// base: less memory while training, the adapter served on the full-precision base); or full fine-tuning (every weight
/// trains; the result is a whole checkpoint, served as its own model). <see cref="LoraRank"/> null is the trainer's default.
/// </summary>
public sealed record FineTuneMethod(string Training, int? LoraRank = null)
{
    /// <summary>LoRA adapters on the frozen base.</summary>
    public const string Lora = "lora";

    /// <summary>LoRA adapters on the frozen base quantized to NF4.</summary>
    public const string QLora = "qlora";

    /// <summary>Every weight trains.</summary>
    public const string Full = "full";

    /// <summary>The names <c>method.lever.training</c> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = [Lora, QLora, Full];

    /// <summary>What a job that says nothing runs: LoRA at the trainer's default rank.</summary>
    public static FineTuneMethod Default { get; } = new(Lora);

    /// <summary>True when the result is a whole checkpoint rather than an adapter.</summary>
    public bool IsFull => Training == Full;
}
