namespace NanoBanana.Functions.Storage;

/// <summary>
/// Creates a queue or blob container the first time it is written to, then never asks again: the
/// app may start against an account where neither exists yet (a fresh Azurite, a new deployment).
/// </summary>
internal sealed class CreatedOnFirstUse(Func<CancellationToken, Task> create)
{
    private volatile bool _created;

    public async Task EnsureAsync(CancellationToken ct)
    {
        if (_created)
        {
            return;
        }

        await create(ct);
        _created = true;
    }
}
