namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>
/// After a worker was killed or stopped: how many of the generations it held were taken over, how
/// long until they were claimed again (the first and the last of them), and how long until they ended.
/// </summary>
internal sealed record WorkerRecovery(
    InfraFaultKind Kind, int TakenOver, TimeSpan? ShortestToNextClaim, TimeSpan? LongestToNextClaim, TimeSpan ShortestToTerminal, TimeSpan LongestToTerminal);

/// <summary>What the paid-call budget allowed and what the run used of it, as Gemini saw the requests.</summary>
internal sealed record CallBudgetUse(int Budget, int PaidCalls, int MostForOneGeneration, int GenerationsThatSpentIt);

internal static class WorkerRecoveries
{
    /// <summary>
    /// A generation in processing when its worker went is "taken over" when a later attempt ended it
    /// (a generation some other worker held finishes under the attempt it had). Times count from the fault.
    /// </summary>
    public static IReadOnlyList<WorkerRecovery> Measure(
        IReadOnlyList<WorkerFault> faults, Dictionary<Guid, RigVerifier.Row> rows, Dictionary<Guid, List<RigVerifier.Transition>> transitions)
    {
        var measured = new List<WorkerRecovery>();
        foreach (var fault in faults)
        {
            var takenOver = fault.Processing
                .Where(held => rows.TryGetValue(held.Id, out var row) && row.Attempt > held.Attempt && row.CompletedAt is not null)
                .Select(held => (
                    NextClaim: transitions.GetValueOrDefault(held.Id)?.FirstOrDefault(t => t.To == "processing" && t.Attempt > held.Attempt)?.At - fault.At,
                    Terminal: rows[held.Id].CompletedAt!.Value - fault.At))
                .ToList();
            if (takenOver.Count > 0)
            {
                measured.Add(new WorkerRecovery(fault.Kind, takenOver.Count, takenOver.Min(t => t.NextClaim), takenOver.Max(t => t.NextClaim),
                    takenOver.Min(t => t.Terminal), takenOver.Max(t => t.Terminal)));
            }
        }

        return measured;
    }
}
