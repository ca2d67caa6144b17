#!/usr/bin/env bash
# Runs the CUDA check on a GPU machine from the parts made by prepare.sh (they must all be present under .cuda-check/).
# CUDA 13's cuBLAS, cuDNN and runtime libraries are taken from the NVIDIA Python wheels when no system copy is on the
# loader path. Results (cuda-check.md, cuda-check.log) go to OUTDIR (default: $OUT when set, else cuda-check-results);
# further arguments go to the check (e.g. --runs 50).
#   bash scripts/cuda-check/device.sh [OUTDIR] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${OUT:-cuda-check-results}"
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
    out="$1"
    shift
fi
if [ ! -x .cuda-check/app/SkDiffusion.CudaCheck ]; then
    unxz() { if command -v xz >/dev/null 2>&1; then xz -d; else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.stdin.buffer), sys.stdout.buffer)'; fi; }
    (cd .cuda-check && sha256sum -c part-00/SHA256SUMS) || { echo "A part is missing or damaged: rerun prepare.sh and carry every part." >&2; exit 3; }
    cat .cuda-check/part-*/app.tar.xz.* | unxz | tar -C .cuda-check -xf -
fi
libs=""
for py in python3 /opt/torch/.venv/bin/python3; do
    if command -v "$py" >/dev/null 2>&1; then
        site=$("$py" -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null || true)
        for s in $site; do
            for d in "$s"/nvidia/*/lib "$s"/nvidia/cu13/lib; do
                [ -d "$d" ] && libs="$libs:$d"
            done
        done
    fi
done
export LD_LIBRARY_PATH="${libs#:}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
mkdir -p "$out"
set +e
.cuda-check/app/SkDiffusion.CudaCheck --out "$out" --package models/tiny-llada --checkpoint models/checkpoint "$@" 2>&1 | tee "$out/cuda-check.log"
rc=${PIPESTATUS[0]}
echo "exit code $rc"
exit $rc
