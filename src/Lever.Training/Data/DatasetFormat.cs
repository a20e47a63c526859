namespace Lever.Training.Data;

/// <summary>The JSONL shapes Lever trains on.</summary>
public enum DatasetFormat
{
    /// <summary><c>{"text": ...}</c>: raw text for (continued) pre-training, packed with EOS separators.</summary>
    Text,

    /// <summary><c>{"prompt": ..., "completion": ...}</c>: loss on the completion only.</summary>
    PromptCompletion,

    /// <summary><c>{"messages": [...]}</c> (OpenAI fine-tuning format): loss on assistant turns only.</summary>
    Messages,
}
