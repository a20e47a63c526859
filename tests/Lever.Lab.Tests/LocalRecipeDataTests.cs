using Lever.Engine.Tokenizers;
using Lever.Lab.Data;
using Lever.Lab.Recipes.Local;

namespace Lever.Lab.Tests;

public sealed class LocalRecipeDataTests
{
    private static LabExample Example(string id, string label, string text) => new(id, "g", label, "s", "f", text);

    [Fact]
    public void Fine_tuning_data_is_balanced_by_cutting_the_larger_class_and_interleaved()
    {
        var train = Enumerable.Range(0, 10).Select(i => Example($"h{i}", "ham", $"ham {i}"))
            .Concat(Enumerable.Range(0, 3).Select(i => Example($"s{i}", "spam", $"spam {i}"))).ToList();
        var balanced = FineTuneRecipe.Balanced(train).ToList();
        Assert.Equal(["h0", "s0", "h1", "s1", "h2", "s2"], balanced.Select(e => e.Id));
        Assert.Equal(balanced.Count, balanced.Select(e => e.Text).Distinct().Count()); // no duplicates for training to drop
    }

    [Fact]
    public void Prompts_are_capped_in_tokens_as_well_as_characters()
    {
        var dir = Directory.CreateTempSubdirectory("lever-lab-tok").FullName;
        try
        {
            BpeTrainer.Train(["hello world, hello spam, hello ham"], 300).Save(dir);
            var tokenizer = ModelTokenizer.Load(dir);
            // Characters the tokenizer never merged: about one token per byte, so 60 characters are far over 20 tokens.
            var noisy = Example("x", "spam", string.Concat(Enumerable.Repeat("Ωж漢", 20)));
            var prompt = new LabelPrompt(tokenizer, chars: 1000, maxTokens: 20).Prompt(noisy);
            Assert.EndsWith(LabelPrompt.Cue, prompt);
            Assert.True(tokenizer.Encode(prompt[..^LabelPrompt.Cue.Length], addBos: false).Count <= 21);
            var plain = new LabelPrompt(tokenizer, chars: 5, maxTokens: 100).Prompt(Example("y", "ham", "hello world"));
            Assert.Equal("hello" + LabelPrompt.Cue, plain);
            Assert.Equal(" spam\n", LabelPrompt.Continuation("spam"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
