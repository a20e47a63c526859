using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Lever.Engine.Tests;

/// <summary>The first proof that the native backend computes and learns: a 2-layer MLP on XOR.</summary>
[Collection(GlobalRngCollection.Name)]
public sealed class XorTrainingTests
{
    [Fact]
    public void Two_layer_mlp_learns_xor_with_a_fixed_seed()
    {
        Assert.True(NativeBackend.Probe().Ok);
        random.manual_seed(1234);
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 0, 0, 0, 1, 1, 0, 1, 1 }, [4, 2]);
        var y = tensor(new float[] { 0, 1, 1, 0 }, [4, 1]);
        var model = Sequential(Linear(2, 8), Tanh(), Linear(8, 1));
        var optimizer = optim.Adam(model.parameters(), lr: 0.05);

        float loss = float.NaN;
        for (int step = 0; step < 300; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var l = functional.binary_cross_entropy_with_logits(model.call(x), y);
            l.backward();
            optimizer.step();
            loss = l.item<float>();
        }

        Assert.True(loss < 0.05f, $"XOR loss after 300 steps was {loss}");
        var predictions = model.call(x).sigmoid().round().flatten().data<float>().ToArray();
        Assert.Equal([0f, 1f, 1f, 0f], predictions);
    }
}
