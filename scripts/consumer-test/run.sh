#!/usr/bin/env bash
# The packages as a user gets them: packs the libraries and the builder tool into a temporary folder, creates a fresh
# console app outside the repository, adds the packages from that folder (command-line sources: the folder plus the
# machine's configured sources; no nuget.config), then
#   1. runs it with no native ONNX Runtime package (expects the error that names the package to add),
#   2. with Microsoft.ML.OnnxRuntime (CPU): build, run a generation on the embedded model, publish -r linux-x64
#      (framework-dependent; size must stay under CONSUMER_PUBLISH_LIMIT_MB, default 60) and run the published app,
#   3. with Microsoft.ML.OnnxRuntime.Gpu (CUDA, falls back to the CPU where no GPU is present): build and run,
#   4. installs the builder as a dotnet tool and converts the tiny test checkpoint with it.
# Usage: scripts/consumer-test/run.sh            Prints one "ok"/"FAIL" line per check and the seconds each took.
# CONSUMER_TEST_CONFIGURATION=Debug CONSUMER_TEST_NO_BUILD=1 packs what a solution build already compiled (CI, after
# the test suite) instead of building Release.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
limit_mb="${CONSUMER_PUBLISH_LIMIT_MB:-60}"
configuration="${CONSUMER_TEST_CONFIGURATION:-Release}"
pack_options=(-c "$configuration")
[ "${CONSUMER_TEST_NO_BUILD:-0}" = "1" ] && pack_options+=(--no-build)
ort_version="$(sed -n 's/.*Include="Microsoft.ML.OnnxRuntime" Version="\([^"]*\)".*/\1/p' "$repo/Directory.Packages.props")"
base_version="$(sed -n 's/.*<Version>\([^<]*\)<\/Version>.*/\1/p' "$repo/Directory.Build.props" | head -1)"
# A version of its own, so that the global packages folder never serves a copy packed by an earlier run.
version="$base_version-consumer.$(date +%s)"
work="$(mktemp -d)"
packages_root="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: *//')"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

cleanup() {
  rm -rf "$work"
  for id in skdiffusion skdiffusion.defaultmodel skdiffusion.extensions.ai skdiffusion.semantickernel skdiffusion.modelbuilder skdiffusion.modelbuilder.tool; do
    rm -rf "${packages_root%/}/$id/$version"
  done
}
trap cleanup EXIT

failures=0
step_start=$SECONDS
check() { # check NAME CONDITION-EXIT-CODE
  local elapsed=$((SECONDS - step_start))
  if [ "$2" -eq 0 ]; then echo "ok   $1 (${elapsed}s)"; else echo "FAIL $1 (${elapsed}s)"; failures=$((failures + 1)); fi
  step_start=$SECONDS
}
run_logged() { # run_logged LOG COMMAND...: quiet on success, the log's tail on failure
  local log="$1"; shift
  if "$@" >"$log" 2>&1; then return 0; fi
  tail -30 "$log"; return 1
}

# Sources on the command line: the local folder first, then every source the machine has enabled.
sources=(--source "$work/feed")
while read -r state url; do
  [ "$state" = "E" ] && sources+=(--source "$url")
done < <(dotnet nuget list source --format short)

# 1. Pack.
status=0
for project in SkDiffusion SkDiffusion.DefaultModel SkDiffusion.Extensions.AI SkDiffusion.SemanticKernel SkDiffusion.ModelBuilder SkDiffusion.ModelBuilder.Tool; do
  run_logged "$work/pack-$project.log" dotnet pack "$repo/src/$project" "${pack_options[@]}" -o "$work/feed" -p:Version="$version" || status=1
done
check "pack 6 packages ($configuration${CONSUMER_TEST_NO_BUILD:+, no build}), version $version" $status

status=0
for id in SkDiffusion SkDiffusion.DefaultModel SkDiffusion.Extensions.AI SkDiffusion.SemanticKernel SkDiffusion.ModelBuilder SkDiffusion.ModelBuilder.Tool; do
  nupkg="$work/feed/$id.$version.nupkg"
  [ -f "$nupkg" ] && [ -f "$work/feed/$id.$version.snupkg" ] || { echo "missing $id .nupkg or .snupkg"; status=1; continue; }
  listing="$(unzip -Z1 "$nupkg")"
  for entry in README.md LICENSE; do
    grep -qx "$entry" <<<"$listing" || { echo "$id: no $entry"; status=1; }
  done
  nuspec="$(unzip -p "$nupkg" "$id.nuspec")"
  grep -q '<license type="expression">MIT</license>' <<<"$nuspec" || { echo "$id: no MIT license expression"; status=1; }
  grep -q '<readme>README.md</readme>' <<<"$nuspec" || { echo "$id: no package readme"; status=1; }
done
dm="$(unzip -Z1 "$work/feed/SkDiffusion.DefaultModel.$version.nupkg")"
for entry in buildTransitive/SkDiffusion.DefaultModel.targets build/SkDiffusion.DefaultModel.targets models/tiny-llada/manifest.json models/tiny-llada/model.onnx lib/net8.0/SkDiffusion.DefaultModel.dll lib/net10.0/SkDiffusion.DefaultModel.dll; do
  grep -qx "$entry" <<<"$dm" || { echo "SkDiffusion.DefaultModel: no $entry"; status=1; }
done
# Read into variables before grep -q: with pipefail, "unzip | grep -q" fails when grep stops reading before unzip
# has written everything (SIGPIPE), which a long listing on a busy machine does now and then.
core_nuspec="$(unzip -p "$work/feed/SkDiffusion.$version.nupkg" SkDiffusion.nuspec)"
grep -q 'id="Microsoft.ML.OnnxRuntime.Managed"' <<<"$core_nuspec" || { echo "SkDiffusion does not depend on Microsoft.ML.OnnxRuntime.Managed"; status=1; }
if grep -q 'id="Microsoft.ML.OnnxRuntime.Gpu"' <<<"$core_nuspec"; then echo "SkDiffusion depends on the GPU package"; status=1; fi
tool_listing="$(unzip -Z1 "$work/feed/SkDiffusion.ModelBuilder.Tool.$version.nupkg")"
grep -qx 'tools/net10.0/any/DotnetToolSettings.xml' <<<"$tool_listing" || { echo "the tool package has no tools/net10.0/any/DotnetToolSettings.xml"; status=1; }
check "package contents (readme, license, symbols, model targets, ONNX Runtime managed only, tool layout)" $status

# 2. A fresh console app outside the repository.
app="$work/ConsumerApp"
status=0
run_logged "$work/new.log" dotnet new console -o "$app" --framework net10.0 --no-restore || status=1
cp "$repo/scripts/consumer-test/app/Program.cs" "$app/Program.cs"
for id in SkDiffusion.DefaultModel SkDiffusion.Extensions.AI; do
  run_logged "$work/add-$id.log" dotnet add "$app" package "$id" --version "$version" --no-restore || status=1
done
check "new console app, packages added" $status

restore_build() { run_logged "$work/build-$1.log" dotnet restore "$app" "${sources[@]}" && run_logged "$work/build-$1.log" dotnet build "$app" --no-restore; }
run_app() { (cd "$work" && dotnet run --project "$app" --no-build) >"$work/run-$1.log" 2>&1; }

# 2a. No native ONNX Runtime: the error names the package.
status=0
restore_build none || status=1
set +e; run_app none; code=$?; set -e
[ "$code" -eq 3 ] && grep -q "dotnet add package Microsoft.ML.OnnxRuntime" "$work/run-none.log" || { cat "$work/run-none.log"; status=1; }
check "no native package: exit 3 and the error names Microsoft.ML.OnnxRuntime" $status

# 2b. The CPU package.
status=0
run_logged "$work/add-cpu.log" dotnet add "$app" package Microsoft.ML.OnnxRuntime --version "$ort_version" --no-restore || status=1
restore_build cpu || status=1
run_app cpu || { cat "$work/run-cpu.log"; status=1; }
grep -q "^provider: Cpu" "$work/run-cpu.log" && grep -q "^answer: ." "$work/run-cpu.log" || status=1
sed -n 's/^\(provider\|answer tokens\|answer\): /  cpu \1: /p' "$work/run-cpu.log"
check "CPU package: build and generate on the embedded model" $status

status=0
run_logged "$work/publish.log" dotnet publish "$app" -c Release -r linux-x64 --self-contained false "${sources[@]}" -o "$work/publish-cpu" || status=1
bytes="$(du -sb "$work/publish-cpu" | cut -f1)"
echo "  publish -r linux-x64 (CPU package, framework-dependent): $bytes bytes ($((bytes / 1048576)) MiB)"
[ "$bytes" -lt $((limit_mb * 1048576)) ] || { status=1; echo "  largest files:"; (cd "$work/publish-cpu" && find . -type f -printf '%s %p\n' | sort -rn | head -12 | sed 's/^/    /'); }
[ -f "$work/publish-cpu/models/tiny-llada/manifest.json" ] || { echo "the model is not in the publish folder"; status=1; }
(cd "$work" && "$work/publish-cpu/ConsumerApp") >"$work/run-published.log" 2>&1 || { cat "$work/run-published.log"; status=1; }
grep -q "^answer: ." "$work/run-published.log" || status=1
check "publish -r linux-x64 under $limit_mb MiB, model included, published app generates" $status

# 3. The GPU package instead of the CPU one.
status=0
run_logged "$work/remove-cpu.log" dotnet remove "$app" package Microsoft.ML.OnnxRuntime || status=1
run_logged "$work/add-gpu.log" dotnet add "$app" package Microsoft.ML.OnnxRuntime.Gpu --version "$ort_version" --no-restore || status=1
restore_build gpu || status=1
run_app gpu || { cat "$work/run-gpu.log"; status=1; }
grep -q "^provider: \(Cpu\|Cuda\)" "$work/run-gpu.log" && grep -q "^answer: ." "$work/run-gpu.log" || status=1
sed -n 's/^\(provider\|answer tokens\|answer\): /  gpu \1: /p' "$work/run-gpu.log"
check "GPU package: build and generate on the embedded model" $status

# 4. The builder as a dotnet tool.
status=0
run_logged "$work/tool-install.log" dotnet tool install SkDiffusion.ModelBuilder.Tool --version "$version" --tool-path "$work/tools" --add-source "$work/feed" || status=1
run_logged "$work/tool-help.log" "$work/tools/skdiffusion-build" --help || status=1
grep -q -- "--checkpoint" "$work/tool-help.log" || status=1
run_logged "$work/tool-build.log" "$work/tools/skdiffusion-build" --checkpoint "$repo/tests/fixtures/tiny-llada" --output "$work/built-package" --quiet || status=1
[ -f "$work/built-package/manifest.json" ] || status=1
check "dotnet tool install; skdiffusion-build --help and a conversion of tests/fixtures/tiny-llada" $status

echo "consumer test: $failures failed checks, ${SECONDS}s in all"
[ "$failures" -eq 0 ]
