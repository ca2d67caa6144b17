#!/usr/bin/env bash
# Prepares the CUDA check for a GPU machine that has no .NET: a self-contained linux-x64 build of
# examples/SkDiffusion.CudaCheck, packed and cut into parts that each fit in one device call beside the working tree.
#   bash scripts/cuda-check/prepare.sh        -> .cuda-check/part-NN/ (sized from the budget below), .cuda-check/PLAN
# Then carry one part per call and run scripts/cuda-check/device.sh there (scripts/cuda-check/README.md).
#
# The budget: one call carries at most CUDA_CHECK_CALL_MIB (64) MiB, and the working tree of the checkout that makes
# the call (tracked files plus untracked files git does not ignore) travels with every call. A part gets what is left
# after that tree and a margin of CUDA_CHECK_MARGIN_MIB (2) MiB. Measure the tree of the checkout that makes the calls:
# CUDA_CHECK_TREE=/path/to/that/checkout (default: this repository). CUDA_CHECK_XZ_LEVEL (0-9, default 6) trades
# packing time here for fewer parts (fewer device calls) there.
set -euo pipefail
cd "$(dirname "$0")/../.."
limit_mib="${CUDA_CHECK_CALL_MIB:-64}"
margin_mib="${CUDA_CHECK_MARGIN_MIB:-2}"
xz_level="${CUDA_CHECK_XZ_LEVEL:-6}"
tree="${CUDA_CHECK_TREE:-$PWD}"
mib=$((1024 * 1024))

# What travels with every call: tracked files as they are on disk, untracked files that are not ignored, and shared/.
sum_sizes() { xargs -0 -r stat -c %s -- 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
tracked=$(cd "$tree" && git ls-files -z --cached | while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done | sum_sizes)
untracked=$(cd "$tree" && git ls-files -z --others --exclude-standard | sum_sizes)
shared=0
if [ -d "$tree/shared" ] && (cd "$tree" && git check-ignore -q shared); then
    shared=$(du -sb "$tree/shared" | cut -f1)
fi
travels=$((tracked + untracked + shared))
part_bytes=$(( (limit_mib * mib - travels - margin_mib * mib) / mib * mib ))
printf 'Every call carries the working tree of %s: %d bytes tracked + %d untracked + %d shared/ = %.1f MiB.\n' \
    "$tree" "$tracked" "$untracked" "$shared" "$(awk -v b="$travels" -v m="$mib" 'BEGIN { print b / m }')"
if [ "$part_bytes" -lt $((4 * mib)) ]; then
    echo "FAIL: the working tree leaves $(( (limit_mib * mib - travels) / mib )) MiB of the ${limit_mib} MiB a call carries; with a ${margin_mib} MiB margin no part of at least 4 MiB fits." >&2
    echo "      Remove large untracked files (git ls-files --others --exclude-standard) or lower CUDA_CHECK_MARGIN_MIB." >&2
    exit 1
fi
echo "Parts of $((part_bytes / mib)) MiB: ${limit_mib} MiB per call - tree - ${margin_mib} MiB margin."

rm -rf .cuda-check
dotnet publish examples/SkDiffusion.CudaCheck -c Release -r linux-x64 --self-contained true -o .cuda-check/app \
    -p:DebugType=none -p:GenerateDocumentationFile=false -p:InvariantGlobalization=true
# What the check never loads: the GPU meta package's Windows DLLs, the TensorRT provider, the crash-dump writer, the
# debugger shims, the standalone garbage collectors and the LTTng trace provider; the models travel with the repository.
rm -rf .cuda-check/app/models
rm -f .cuda-check/app/*.dll.so .cuda-check/app/libonnxruntime_providers_tensorrt.so .cuda-check/app/createdump \
    .cuda-check/app/libmscordbi.so .cuda-check/app/libmscordaccore.so .cuda-check/app/libclrgc.so \
    .cuda-check/app/libclrgcexp.so .cuda-check/app/libcoreclrtraceptprovider.so .cuda-check/app/*.xml
find .cuda-check/app -maxdepth 1 \( -name 'onnxruntime*.dll' -o -name 'DirectML*.dll' \) -delete
for needed in SkDiffusion.CudaCheck libonnxruntime.so libonnxruntime_providers_cuda.so libonnxruntime_providers_shared.so scaling-tokenizer.json; do
    [ -e ".cuda-check/app/$needed" ] || { echo "FAIL: the build lacks $needed." >&2; exit 1; }
done
du -sh .cuda-check/app
# The CUDA kernels barely compress; xz still saves about a third.
tar -C .cuda-check -cf - app | xz -T0 "-$xz_level" > .cuda-check/app.tar.xz
rm -rf .cuda-check/app
split -b "$part_bytes" -d .cuda-check/app.tar.xz .cuda-check/app.tar.xz.
rm .cuda-check/app.tar.xz
for f in .cuda-check/app.tar.xz.*; do
    n="${f##*.}"
    mkdir -p ".cuda-check/part-$n"
    mv "$f" ".cuda-check/part-$n/"
done
(cd .cuda-check && sha256sum part-*/* > SHA256SUMS)
parts=$(ls -d .cuda-check/part-* | wc -l)
for d in .cuda-check/part-*; do
    cp .cuda-check/SHA256SUMS "$d/"  # any part tells device.sh how many there are and checks them
    size=$(du -sb "$d" | cut -f1)
    if [ $((size + travels)) -gt $((limit_mib * mib)) ]; then
        echo "FAIL: $d ($size bytes) and the tree ($travels bytes) exceed the ${limit_mib} MiB of one call." >&2
        exit 1
    fi
done
{
    echo "parts=$parts"
    echo "part_mib=$((part_bytes / mib))"
    echo "tree_bytes=$travels"
    echo "tree=$tree"
    echo "xz_level=$xz_level"
} > .cuda-check/PLAN
du -b .cuda-check/part-* | sed 's/^/  /'
echo "$parts parts. Carry one .cuda-check/part-NN folder per call, back to back (a warm machine keeps them for about 30 s), then run scripts/cuda-check/device.sh there with the last one."
