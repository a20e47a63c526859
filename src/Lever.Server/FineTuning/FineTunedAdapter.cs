namespace Lever.Server.FineTuning;

/// <summary>
/// A fine-tuned adapter that is ready to serve: the model id clients send (<c>ft:&lt;base&gt;:&lt;suffix&gt;:&lt;id&gt;</c>),
/// the base model id and checkpoint folder it applies to, the PEFT adapter folder, and the job that made it. With
/// <paramref name="FullModel"/> the job fine-tuned every weight and <paramref name="AdapterPath"/> is a whole checkpoint
/// folder, served as a model of its own.
/// </summary>
public sealed record FineTunedAdapter(string ModelId, string BaseModel, string BaseModelPath, string AdapterPath, string JobId, bool FullModel = false);
