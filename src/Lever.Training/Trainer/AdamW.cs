// AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization"), step for step as torch.optim.AdamW.
// Written out rather than taken from TorchSharp so its state (exp_avg, exp_avg_sq per named parameter, and the step
// count) is plain tensors we checkpoint atomically next to the weights and restore exactly on resume.
using static TorchSharp.torch;

namespace Lever.Training.Trainer;

/// <summary>AdamW over named parameters; state exists only for parameters that train (LoRA: the adapters).</summary>
public sealed class AdamW : IDisposable
{
    private readonly IReadOnlyList<(string Name, Tensor Parameter)> _parameters;
    private readonly Dictionary<string, (Tensor ExpAvg, Tensor ExpAvgSq)> _state = new(StringComparer.Ordinal);
    private readonly double _beta1, _beta2, _eps, _weightDecay;

    /// <summary>Creates the optimizer; weight decay applies to matrices only (not norms, biases), as in nanoGPT.</summary>
    public AdamW(IReadOnlyList<(string Name, Tensor Parameter)> parameters, double beta1 = 0.9, double beta2 = 0.95, double eps = 1e-8, double weightDecay = 0.0)
    {
        _parameters = parameters;
        (_beta1, _beta2, _eps, _weightDecay) = (beta1, beta2, eps, weightDecay);
        foreach (var (name, p) in parameters) _state[name] = (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope());
    }

    /// <summary>Optimizer steps taken (the bias-correction t).</summary>
    public long StepCount { get; private set; }

    /// <summary>Applies one update with learning rate <paramref name="lr"/> to every parameter that has a gradient.</summary>
    public void Step(double lr)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        StepCount++;
        double bc1 = 1 - Math.Pow(_beta1, StepCount);
        double bc2 = 1 - Math.Pow(_beta2, StepCount);
        foreach (var (name, p) in _parameters)
        {
            if (p.grad is not { } g) continue;
            var (m, v) = _state[name];
            if (_weightDecay > 0 && p.dim() >= 2) p.mul_(1 - lr * _weightDecay);
            m.mul_(_beta1).add_(g, alpha: 1 - _beta1);
            v.mul_(_beta2).addcmul_(g, g, value: 1 - _beta2);
            var denom = (v.sqrt() / Math.Sqrt(bc2)).add_(_eps);
            p.addcdiv_(m, denom, value: -lr / bc1);
        }
    }

    /// <summary>Drops all gradients.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in _parameters)
        {
            if (p.grad is { } g)
            {
                g.zero_();
            }
        }
    }

    /// <summary>The state as named tensors: <c>&lt;param&gt;.exp_avg</c> and <c>&lt;param&gt;.exp_avg_sq</c>.</summary>
    public Dictionary<string, Tensor> StateTensors()
    {
        var d = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, (m, v)) in _state)
        {
            d[name + ".exp_avg"] = m;
            d[name + ".exp_avg_sq"] = v;
        }
        return d;
    }

    /// <summary>Restores state saved by <see cref="StateTensors"/> after <paramref name="stepCount"/> steps.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, long stepCount)
    {
        using var noGrad = no_grad();
        foreach (var (name, (m, v)) in _state)
        {
            if (!tensors.TryGetValue(name + ".exp_avg", out var sm) || !tensors.TryGetValue(name + ".exp_avg_sq", out var sv))
                throw new InvalidDataException($"optimizer state has no entry for {name}");
            m.copy_(sm);
            v.copy_(sv);
        }
        StepCount = stepCount;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (m, v) in _state.Values)
        {
            m.Dispose();
            v.Dispose();
        }
    }
}
