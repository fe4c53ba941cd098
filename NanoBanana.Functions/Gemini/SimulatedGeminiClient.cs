using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace NanoBanana.Functions.Gemini;

/// <summary>
/// The local stand-in for Gemini (Gemini__Backend=Simulated): after Gemini__SimulatedDelaySeconds it
/// returns a real PNG whose colour comes from the prompt, so the whole mobile flow runs without a
/// Google key. A prompt containing [simulate:CODE] (e.g. [simulate:IMAGE_SAFETY]) fails with that
/// code instead, for trying out a client's error screens.
/// </summary>
internal sealed partial class SimulatedGeminiClient(IOptions<GeminiOptions> options, TimeProvider clock) : IGeminiClient
{
    public async Task<GeminiOutcome> GenerateAsync(GeminiRequest request, CancellationToken ct)
    {
        var (width, height) = Dimensions(request.AspectRatio);
        // A stable hash (string hashes are randomised per process): the same prompt, the same colour.
        var seed = XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(request.Prompt));
        var delay = TimeSpan.FromSeconds(options.Value.SimulatedDelaySeconds);
        if (request.OnDraft is { } onDraft && options.Value.StreamsDrafts(request.Model) && delay > TimeSpan.Zero)
        {
            // As a thinking model does: an interim image half-way (a darker take on the final one); none without a delay (the tests' instant stand-in).
            await Task.Delay(delay / 2, clock, ct);
            await onDraft(new GeminiImage("image/png", TinyPng.Gradient(width, height, (byte)(seed / 2), (byte)((seed >> 8) / 2), (byte)((seed >> 16) / 2))));
            delay /= 2;
        }

        await Task.Delay(delay, clock, ct);

        if (SimulateFailure().Match(request.Prompt) is { Success: true } match)
        {
            var code = match.Groups["code"].Value;
            var transient = code is GeminiFailureCodes.RateLimited or GeminiFailureCodes.Unavailable or GeminiFailureCodes.Timeout;
            return GeminiOutcome.Failed(new GeminiFailure(code, $"Simulated failure {code}.", transient));
        }

        var png = TinyPng.Gradient(width, height, (byte)seed, (byte)(seed >> 8), (byte)(seed >> 16));
        return GeminiOutcome.Success(
            [new GeminiImage("image/png", png)],
            $"Simulated image (Gemini__Backend=Simulated) for: {request.Prompt}",
            new GeminiUsage("simulated", null, null, null, Guid.NewGuid().ToString("N")));
    }

    private static (int Width, int Height) Dimensions(string? aspectRatio)
    {
        var parts = (aspectRatio ?? "1:1").Split(':');
        var (w, h) = (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        const int LongSide = 256;
        return w >= h ? (LongSide, Math.Max(1, LongSide * h / w)) : (Math.Max(1, LongSide * w / h), LongSide);
    }

    [GeneratedRegex(@"\[simulate:(?<code>[A-Z_]+)\]")]
    private static partial Regex SimulateFailure();
}
