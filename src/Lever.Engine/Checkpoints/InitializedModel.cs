using Lever.Engine.Modules;

namespace Lever.Engine.Checkpoints;

/// <summary>What <see cref="ModelInitializer.Create"/> wrote.</summary>
/// <param name="Directory">The checkpoint folder.</param>
/// <param name="Config">The config it holds.</param>
/// <param name="Parameters">Number of parameters.</param>
/// <param name="TokenizerSource">Where the tokenizer came from ("byte-level default" or a folder).</param>
public sealed record InitializedModel(string Directory, LlamaConfig Config, long Parameters, string TokenizerSource);
