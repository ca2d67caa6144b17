#!/usr/bin/env bash
# Prepares the CUDA check for a GPU machine that has no .NET: a self-contained linux-x64 build of
# examples/SkDiffusion.CudaCheck, packed and cut into parts small enough to travel one per call.
#   bash scripts/cuda-check/prepare.sh            -> .cuda-check/part-NN/ (32 MiB each, about 7 of them)
# Then, on the GPU machine, from the repository root, with every part present:
#   bash scripts/cuda-check/device.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf .cuda-check
dotnet publish examples/SkDiffusion.CudaCheck -c Release -r linux-x64 --self-contained true -o .cuda-check/app -p:DebugType=none
# The GPU meta package also drops its Windows DLLs into a Linux publish, and the model travels with the repository.
rm -rf .cuda-check/app/models .cuda-check/app/*.dll.so
find .cuda-check/app -maxdepth 1 \( -name 'onnxruntime*.dll' -o -name 'DirectML*.dll' \) -delete
du -sh .cuda-check/app
# The CUDA kernels barely compress; xz still saves about a third. 32 MiB parts leave room for the repository
# (about 33 MB) inside the 64 MiB that one device call carries.
tar -C .cuda-check -cf - app | xz -T2 -6 > .cuda-check/app.tar.xz
rm -rf .cuda-check/app
split -b 32m -d .cuda-check/app.tar.xz .cuda-check/app.tar.xz.
rm .cuda-check/app.tar.xz
for f in .cuda-check/app.tar.xz.*; do
    n="${f##*.}"
    mkdir -p ".cuda-check/part-$n"
    mv "$f" ".cuda-check/part-$n/"
done
(cd .cuda-check && sha256sum part-*/* > SHA256SUMS && cp SHA256SUMS part-00/)
du -sh .cuda-check/part-*
echo "Carry one .cuda-check/part-NN folder per call (the machine keeps ignored files while warm), then run scripts/cuda-check/device.sh there."
