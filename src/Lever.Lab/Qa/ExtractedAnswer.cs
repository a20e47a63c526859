using Lever.Retrieval;

namespace Lever.Lab.Qa;

/// <summary>The sentence the extractive reader chose.</summary>
/// <param name="Text">The sentence (cut at <see cref="ExtractiveReader.MaxAnswerChars"/>).</param>
/// <param name="Passage">The passage it comes from: its page is the citation.</param>
/// <param name="Score">The reader's score (for ordering only).</param>
public sealed record ExtractedAnswer(string Text, SearchHit Passage, double Score);
