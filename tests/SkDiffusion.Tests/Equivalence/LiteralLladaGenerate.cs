using SkDiffusion.Denoising;

namespace SkDiffusion.Tests.Equivalence;

/// <summary>
/// A literal, unoptimized transcription of the algorithm of LLaDA's published <c>generate</c>
/// (greedy, low-confidence remasking, no CFG): the canvas is prompt + masks; the answer is split into blocks;
/// each block's masks are spread over its steps by the even split (remainder to the first steps); every step runs
/// the model on the whole canvas, takes the argmax token and its softmax probability at every masked position of
/// the current block and commits the k most confident. Used only to check <c>DiffusionSampler</c> against it.
/// </summary>
internal static class LiteralLladaGenerate
{
    public static async Task<long[]> GenerateAsync(IDenoiser model, IReadOnlyList<int> prompt, int steps, int genLength, int blockLength, int maskId)
    {
        int promptLength = prompt.Count;
        var x = new long[promptLength + genLength];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = i < promptLength ? prompt[i] : maskId;
        }

        int numBlocks = genLength / blockLength;
        int stepsPerBlock = steps / numBlocks;
        for (int block = 0; block < numBlocks; block++)
        {
            int blockStart = promptLength + (block * blockLength);
            int blockEnd = blockStart + blockLength;
            int maskCount = 0;
            for (int i = blockStart; i < blockEnd; i++)
            {
                if (x[i] == maskId)
                {
                    maskCount++;
                }
            }

            var transfer = new int[stepsPerBlock];
            for (int s = 0; s < stepsPerBlock; s++)
            {
                transfer[s] = (maskCount / stepsPerBlock) + (s < maskCount % stepsPerBlock ? 1 : 0);
            }

            for (int s = 0; s < stepsPerBlock; s++)
            {
                using DenoiserOutput output = await model.DenoiseAsync(new DenoiserInput(x.ToArray(), 1, x.Length));
                var confidence = new double[x.Length];
                var x0 = new long[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    Span<float> logits = output.GetLogits(0, i);
                    int best = 0;
                    for (int v = 1; v < logits.Length; v++)
                    {
                        if (logits[v] > logits[best])
                        {
                            best = v;
                        }
                    }

                    double sum = 0;
                    for (int v = 0; v < logits.Length; v++)
                    {
                        sum += Math.Exp(logits[v] - logits[best]);
                    }

                    bool masked = x[i] == maskId;
                    x0[i] = masked ? best : x[i];
                    confidence[i] = masked && i < blockEnd ? 1.0 / sum : double.NegativeInfinity;
                }

                for (int k = 0; k < transfer[s]; k++)
                {
                    int arg = -1;
                    for (int i = 0; i < x.Length; i++)
                    {
                        if (!double.IsNegativeInfinity(confidence[i]) && (arg < 0 || confidence[i] > confidence[arg]))
                        {
                            arg = i;
                        }
                    }

                    if (arg < 0)
                    {
                        break;
                    }

                    x[arg] = x0[arg];
                    confidence[arg] = double.NegativeInfinity;
                }
            }
        }

        return x;
    }
}
