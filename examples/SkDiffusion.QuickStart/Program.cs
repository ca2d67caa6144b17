Console.WriteLine("SkDiffusion");
