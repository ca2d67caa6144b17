#!/usr/bin/env bash
# Runs the CUDA check on a GPU machine from the parts made by prepare.sh (all of them under .cuda-check/part-NN/).
# Before starting it checks, with ldd, that the CUDA provider's libraries resolve, and names what is missing.
# CUDA 13's runtime, cuBLAS and cuDNN are taken from the NVIDIA Python wheels (site-packages/nvidia/*/lib) or
# /usr/local/cuda when they are not on the loader path already. Results (cuda-check.md, cuda-check.log) go to OUTDIR
# (default: $OUT when set, else cuda-check-results), with device.log (this script's findings); further arguments go
# to the check.
#   bash scripts/cuda-check/device.sh [OUTDIR] [--allow-cpu] [--runs N] [--timeout-minutes M]
# Exit codes: those of the check (0 pass, 1 a check failed, 2 CUDA could not load, 3 its time ran out), 2 when
# CUDA's libraries are missing (without --allow-cpu), 4 when a part is missing or damaged.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${OUT:-cuda-check-results}"
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
    out="$1"
    shift
fi
allow_cpu=0
for a in "$@"; do [ "$a" = "--allow-cpu" ] && allow_cpu=1; done
minutes="${CUDA_CHECK_MINUTES:-7}"
mkdir -p "$out"
note() { echo "$*" | tee -a "$out/device.log" >&2; }
: > "$out/device.log"

app=.cuda-check/app
if [ ! -x "$app/SkDiffusion.CudaCheck" ]; then
    sums=$(ls .cuda-check/part-*/SHA256SUMS 2>/dev/null | head -1 || true)
    [ -n "$sums" ] || { note "FAIL: no part of the check is here (.cuda-check/part-NN/): carry them first (scripts/cuda-check/README.md)."; exit 4; }
    missing=$(awk '{ print $2 }' "$sums" | while read -r f; do [ -f ".cuda-check/$f" ] || dirname "$f"; done | sort -u | tr '\n' ' ')
    [ -z "$missing" ] || { note "FAIL: missing ${missing}(the machine went back or a call was skipped): carry every part again, back to back."; exit 4; }
    (cd .cuda-check && sha256sum --quiet -c "${sums#.cuda-check/}") || { note "FAIL: a part is damaged: rerun prepare.sh and carry every part again."; exit 4; }
    unxz() { if command -v xz >/dev/null 2>&1; then xz -d -T0; else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.stdin.buffer), sys.stdout.buffer)'; fi; }
    cat .cuda-check/part-*/app.tar.xz.* | unxz | tar -C .cuda-check -xf -
fi

# The loader path: NVIDIA's wheels (cu13 layout and per-library layout), then a system CUDA.
libs=""
for py in python3 /opt/torch/.venv/bin/python3; do
    if command -v "$py" >/dev/null 2>&1; then
        site=$("$py" -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null || true)
        for s in $site; do
            for d in "$s"/nvidia/cu13/lib "$s"/nvidia/*/lib; do
                [ -d "$d" ] && libs="$libs:$d"
            done
        done
    fi
done
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
    [ -d "$d" ] && libs="$libs:$d"
done
export LD_LIBRARY_PATH="${libs#:}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# The CUDA provider's libraries, and cuDNN with its sub-libraries, which are opened only at run time.
absent=$(ldd "$app/libonnxruntime_providers_cuda.so" | awk '/not found/ { print $1 }' | sort -u | tr '\n' ' ')
find_lib() {
    local d
    for d in ${LD_LIBRARY_PATH//:/ }; do
        [ -e "$d/$1" ] && { echo "$d/$1"; return; }
    done
    ldconfig -p 2>/dev/null | awk -v n="$1" '$1 == n { print $NF; exit }'
}
cudnn=$(find_lib libcudnn.so.9)
if [ -z "$cudnn" ]; then
    absent="${absent}libcudnn.so.9(opened at run time) "
else
    for sub in libcudnn_graph libcudnn_ops libcudnn_cnn libcudnn_adv libcudnn_engines_precompiled libcudnn_engines_runtime_compiled libcudnn_heuristic; do
        ls "$(dirname "$cudnn")/$sub".so* >/dev/null 2>&1 || absent="$absent$sub.so.9(next to $cudnn) "
    done
fi
if [ -n "$absent" ]; then
    note "CUDA provider libraries missing: $absent"
    note "Searched: ${LD_LIBRARY_PATH:-the default loader path}. libcuda.so.1 comes with the NVIDIA driver; the others with CUDA 13 (cudart, cublas, cublasLt, cufft, curand) and cuDNN 9 (the NVIDIA cu13 wheels or the CUDA toolkit)."
    if [ "$allow_cpu" = 0 ]; then
        exit 2
    fi
    note "--allow-cpu: running anyway (the CPU stands in for CUDA)."
else
    echo "CUDA provider libraries: all resolve." >&2
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv >&2 || true

set +e
timeout -k 15 $(( (minutes + 1) * 60 )) "$app/SkDiffusion.CudaCheck" --out "$out" --package models/tiny-llada --checkpoint models/checkpoint \
    --timeout-minutes "$minutes" "$@" 2>&1 | tee "$out/cuda-check.log"
rc=${PIPESTATUS[0]}
echo "exit code $rc"
exit "$rc"
