using Lever.Core;
using Lever.Core.Levers;

namespace Lever.Core.Tests;

public sealed class LeverKindsTests
{
    [Fact]
    public void Every_lever_has_its_snake_case_name_baseline_first()
    {
        Assert.Equal(["baseline", "prompt", "prompt_caching", "rag", "fine_tune_lora", "fine_tune_qlora", "fine_tune_full", "distill",
            "continued_pretraining", "train_from_scratch", "hybrid"], LeverKinds.Names);
        Assert.Equal(LeverKinds.Names, LeverKinds.All.Select(LeverKinds.Name));
        Assert.Equal("fine_tune_qlora", LeverKinds.Name(LeverKind.FineTuneQlora));
    }

    [Theory]
    [InlineData("fine_tune_lora", LeverKind.FineTuneLora)]
    [InlineData("Fine-Tune-LoRA", LeverKind.FineTuneLora)]
    [InlineData(" baseline ", LeverKind.Baseline)]
    [InlineData("HYBRID", LeverKind.Hybrid)]
    public void Names_read_back_forgivingly(string text, LeverKind expected)
    {
        Assert.True(LeverKinds.TryParse(text, out var lever));
        Assert.Equal(expected, lever);
        Assert.Equal(expected, LeverKinds.Parse(text, "recipes/x.yaml", "lever"));
        // Every name reads back as its lever.
        Assert.All(LeverKinds.All, l => Assert.Equal(l, LeverKinds.Parse(LeverKinds.Name(l), "f", "lever")));
    }

    [Fact]
    public void An_unknown_lever_is_a_user_error_naming_the_place_and_every_valid_name()
    {
        Assert.False(LeverKinds.TryParse("fine_tune", out _));
        var ex = Assert.Throws<LeverUserException>(() => LeverKinds.Parse("fine_tune", "runs/a/summary.json", "recipes[2].lever"));
        Assert.Equal("runs/a/summary.json: field 'recipes[2].lever': 'fine_tune' is not one of " + string.Join(" | ", LeverKinds.Names), ex.Message);
        Assert.Contains("snake_case", ex.Hint);
    }
}
