namespace Lever.Training.Data;

/// <summary>
/// Tokenizes records into token ids plus a per-token "carries loss" flag: all of a text document (then EOS),
/// the completion (then EOS) but not the prompt, the assistant turns but not system or user turns.
/// </summary>
public sealed class ExampleEncoder(ITrainingTokenizer tokenizer, IChatRenderer? chat = null)
{
    private readonly IChatRenderer _chat = chat ?? ChatMlRenderer.Instance;

    /// <summary>The tokenizer in use.</summary>
    public ITrainingTokenizer Tokenizer => tokenizer;

    /// <summary>Token ids and loss flags of one record (not truncated).</summary>
    public (List<int> Ids, List<bool> Trainable) Encode(TrainingRecord record)
    {
        var ids = new List<int>();
        var trainable = new List<bool>();
        void Add(IEnumerable<int> tokens, bool train)
        {
            foreach (var t in tokens)
            {
                ids.Add(t);
                trainable.Add(train);
            }
        }

        if (tokenizer.BosTokenId is { } bos && !(record.Format == DatasetFormat.Messages && _chat.RendersBos))
            Add([bos], record.Format == DatasetFormat.Text);
        switch (record.Format)
        {
            case DatasetFormat.Text:
                Add(tokenizer.Encode(record.Text!), true);
                Add([tokenizer.EosTokenId], true);
                break;
            case DatasetFormat.PromptCompletion:
                Add(tokenizer.Encode(record.Prompt!), false);
                Add(tokenizer.Encode(record.Completion!), true);
                Add([tokenizer.EosTokenId], true);
                break;
            default:
                foreach (var segment in _chat.Render(record.Messages!))
                    Add(tokenizer.Encode(segment.Text), segment.Trainable);
                break;
        }
        return (ids, trainable);
    }

    /// <summary>A fine-tuning example in the labels convention, cut to <paramref name="maxLength"/> tokens.</summary>
    public TokenizedExample EncodeExample(TrainingRecord record, int maxLength)
    {
        var (ids, trainable) = Encode(record);
        int n = Math.Min(ids.Count, maxLength);
        var input = new int[n];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            input[i] = ids[i];
            labels[i] = trainable[i] ? ids[i] : TokenizedExample.IgnoreIndex;
        }
        return new TokenizedExample(input, labels);
    }
}
