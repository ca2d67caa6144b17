#!/usr/bin/env bash
# Rebuilds the embedded model from the recipe, by hand (CI never runs this; it needs Debian's python3-torch):
#   apt-get install -y python3-torch libopenblas0-pthread python3-regex
#   bash models/recipe/build_embedded.sh [minutes]
# Training is resumable: rerunning continues from models/recipe/work/ckpt.pt.
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes="${1:-60}"
/usr/bin/python3 models/recipe/train.py --work models/recipe/work --minutes "$minutes" --init-from models/checkpoint
/usr/bin/python3 models/recipe/train.py --work models/recipe/work --export models/checkpoint
dotnet run -c Release --project src/SkDiffusion.ModelBuilder -- --checkpoint models/checkpoint \
    --output models/tiny-llada --name skdiffusion/tiny-llada --overwrite
dotnet run -c Release --project examples/SkDiffusion.Evaluation
