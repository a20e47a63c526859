namespace Lever.Training.Data;

/// <summary>One turn of an OpenAI fine-tuning conversation: role is "system", "user" or "assistant".</summary>
public sealed record TrainingMessage(string Role, string Content);
