namespace Lever.Lab.Recipes.Provider;

/// <summary><c>lab.distill:</c> — who teaches the distilled student.</summary>
public sealed class LabDistillOptions
{
    /// <summary>The lab's full fine-tune (the default).</summary>
    public const string LocalTeacher = "local";

    /// <summary>The configured hosted model, prompted few-shot.</summary>
    public const string ProviderTeacher = "provider";

    /// <summary><c>local</c> (the lab's full fine-tune labels the emails) or <c>provider</c> (the hosted model does).</summary>
    public string Teacher { get; set; } = LocalTeacher;
}
