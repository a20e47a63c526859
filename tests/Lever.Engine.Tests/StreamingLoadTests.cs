using Lever.Engine.Checkpoints;
using Lever.Engine.Modules;
using static TorchSharp.torch;

namespace Lever.Engine.Tests;

/// <summary>HfCheckpoint.LoadStreaming (projections built one at a time from the file) and released file pages.</summary>
public sealed class StreamingLoadTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Streaming_load_with_dense_projections_equals_a_plain_load(bool tied, bool qkvBias)
    {
        var dir = TinyModels.TempDir("stream");
        try
        {
            using (var original = TinyModels.Create(TinyModels.Config(tied, qkvBias), seed: 5))
            {
                if (qkvBias)
                    using (no_grad())
                        foreach (var (name, p) in original.named_parameters().Where(p => p.name.EndsWith(".bias", StringComparison.Ordinal)))
                            p.copy_(randn(p.shape, generator: new Generator(3)));   // non-zero, so a lost bias shows
                HfCheckpoint.Save(dir, original);
            }
            using var plain = HfCheckpoint.Load(dir);
            var seen = new List<(string Name, string Kind, long[] Shape, bool Bias)>();
            using var streamed = HfCheckpoint.LoadStreaming(dir, (slot, weight, bias) =>
            {
                seen.Add((slot.Name, slot.Kind, weight.shape, bias is not null));
                Assert.Equal(ScalarType.Float32, weight.dtype);
                return null;   // keep dense
            });

            Assert.Equal(plain.Projections().Select(s => s.Name), seen.Select(s => s.Name));
            Assert.Equal(tied ? 0 : 1, seen.Count(s => s.Kind == "lm_head"));
            Assert.Equal(qkvBias ? 3 * plain.Config.NumHiddenLayers : 0, seen.Count(s => s.Bias));
            var a = plain.state_dict();
            var b = streamed.state_dict();
            Assert.Equal(a.Keys, b.Keys);
            foreach (var (name, t) in a) Assert.True(TinyModels.Same(t, b[name]), name);
            Assert.All(streamed.parameters(), p => Assert.Equal(TorchSharp.DeviceType.CPU, p.device_type));
            var ids = randint(0, plain.Config.VocabSize, [2, 7], generator: new Generator(1));
            Assert.True(TinyModels.Same(plain.call(ids), streamed.call(ids)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Released_pages_read_back_the_same_values()
    {
        var dir = TinyModels.TempDir("release");
        try
        {
            var path = Path.Combine(dir, "t.safetensors");
            var x = randn([300, 70], generator: new Generator(9));   // spans several pages, not page-aligned
            var y = randn([5], generator: new Generator(10));
            SafeTensors.Write(path, new Dictionary<string, Tensor> { ["x"] = x, ["y"] = y }, new Dictionary<string, string>());
            using var file = SafeTensorsFile.Open(path);
            Assert.True(TinyModels.Same(file.Read("x"), x));
            file.ReleasePages("x");
            file.ReleasePages("y");
            Assert.True(TinyModels.Same(file.Read("x"), x));
            Assert.True(TinyModels.Same(file.Read("y"), y));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
