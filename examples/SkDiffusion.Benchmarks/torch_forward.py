"""Times the recipe's PyTorch reference forward (models/recipe/model.py) on a checkpoint, for the --graph table.

usage: torch_forward.py RECIPE_DIR CHECKPOINT_DIR THREADS REPEATS CANVAS[,CANVAS...]
Prints one line per canvas: "canvas <n> ms <median>". Exits with code 3 when torch is not installed.
Set OPENBLAS_NUM_THREADS (and OMP_NUM_THREADS) to THREADS before starting it.
"""
import json
import os
import sys
import time

try:
    import torch
except ImportError:
    print("torch is not installed", file=sys.stderr)
    sys.exit(3)

recipe, checkpoint, threads, repeats, canvases = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
sys.path.insert(0, recipe)
from model import LLaDAModelLM  # noqa: E402
from safetensors_io import load_file  # noqa: E402

torch.set_num_threads(threads)
config = json.load(open(os.path.join(checkpoint, "config.json")))
model = LLaDAModelLM(config)
model.load_state_dict(load_file(os.path.join(checkpoint, "model.safetensors")), strict=True)
model.eval()
print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)", flush=True)

with torch.inference_mode():
    # One warm-up pass at the first canvas; then each canvas is timed REPEATS times.
    first = int(canvases.split(",")[0])
    model(torch.zeros((1, first), dtype=torch.long), attention_mask=torch.ones((1, first), dtype=torch.long))
    for canvas in (int(c) for c in canvases.split(",")):
        ids = torch.full((1, canvas), config["mask_token_id"], dtype=torch.long)
        ids[0, :16] = torch.arange(10, 26)
        mask = torch.ones((1, canvas), dtype=torch.long)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            model(ids, attention_mask=mask)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(f"canvas {canvas} ms {times[len(times) // 2]:.1f}", flush=True)
