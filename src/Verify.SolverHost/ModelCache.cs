namespace Verify.SolverHost;

/// <summary>The few models a solver process holds, most recently used first; older ones are released.</summary>
internal sealed class ModelCache : IDisposable
{
    readonly LinkedList<HostedModel> models = new();
    readonly int capacity;

    /// <summary>A cache holding at most <paramref name="capacity"/> models.</summary>
    public ModelCache(int capacity = 4) => this.capacity = capacity;

    /// <summary>The model serving the request (built from it when it carries the structure); null when it is needed and missing.</summary>
    public HostedModel? For(SolveRequest r)
    {
        for (var node = models.First; node is not null; node = node.Next)
        {
            if (node.Value.Key != r.ModelKey) continue;
            models.Remove(node);
            if (node.Value.Serves(r) && !r.HasStructure)
            {
                models.AddFirst(node);
                return node.Value;
            }
            node.Value.Dispose();
            break;
        }
        if (!r.HasStructure) return null;
        var built = HostedModel.Build(r);
        models.AddFirst(built);
        while (models.Count > capacity)
        {
            models.Last!.Value.Dispose();
            models.RemoveLast();
        }
        return built;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var m in models) m.Dispose();
        models.Clear();
    }
}
