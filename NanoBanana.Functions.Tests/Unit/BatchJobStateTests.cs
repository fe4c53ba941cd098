using NanoBanana.Functions.Gemini.Batch;

namespace NanoBanana.Functions.Tests.Unit;

public sealed class BatchJobStateTests
{
    [Theory]
    [InlineData("BATCH_STATE_PENDING", BatchJobState.Pending)]
    [InlineData("BATCH_STATE_RUNNING", BatchJobState.Running)]
    [InlineData("BATCH_STATE_SUCCEEDED", BatchJobState.Succeeded)]
    [InlineData("BATCH_STATE_FAILED", BatchJobState.Failed)]
    [InlineData("BATCH_STATE_CANCELLED", BatchJobState.Cancelled)]
    [InlineData("BATCH_STATE_EXPIRED", BatchJobState.Expired)]
    [InlineData("JOB_STATE_SUCCEEDED", BatchJobState.Succeeded)]
    [InlineData("JOB_STATE_EXPIRED", BatchJobState.Expired)]
    [InlineData("BATCH_STATE_SOMETHING_NEW", BatchJobState.Unknown)]
    [InlineData(null, BatchJobState.Unknown)]
    public void Parse_ReadsTheRestApisAndTheSdksNames(string? wire, BatchJobState expected)
    {
        // Act
        var state = BatchJobStates.Parse(wire);

        // Assert
        Assert.Equal(expected, state);
    }
}
