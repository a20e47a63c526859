using Lever.Engine.Checkpoints;
using Lever.Engine.Generation;
using Lever.Engine.Modules;
using Lever.Engine.Tokenizers;

namespace Lever.Engine.Tests;

/// <summary>A tiny checkpoint folder with a trained byte-level tokenizer, made once per test class.</summary>
public sealed class TinyCheckpoint : IDisposable
{
    public TinyCheckpoint()
    {
        Directory = TinyModels.TempDir("ckpt");
        BpeTrainer.Train(TokenizerTests.RepeatedCorpus(), 400).Save(Directory);
        var config = TinyModels.Config() with { VocabSize = 400, BosTokenId = 0, EosTokenId = [0, 2], MaxPositionEmbeddings = 512 };
        using var model = TinyModels.Create(config, seed: 11);
        HfCheckpoint.Save(Directory, model);
        Generator = TextGenerator.Load(Directory);
    }

    public string Directory { get; }

    public TextGenerator Generator { get; }

    public void Dispose()
    {
        Generator.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
