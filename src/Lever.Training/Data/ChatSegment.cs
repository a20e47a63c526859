namespace Lever.Training.Data;

/// <summary>A piece of a rendered conversation; <see cref="Trainable"/> marks assistant output that carries loss.</summary>
public sealed record ChatSegment(string Text, bool Trainable);
