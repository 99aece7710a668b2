#!/usr/bin/env bash
# Smoke test of the provider path against llama.cpp's own OpenAI-compatible server
# (`llama-server`), built from the llama.cpp source that node-llama-cpp (an optional
# dependency) ships, serving the demo model. The build is cached in $LLAMA_BUILD_DIR
# (default .llmteam/llama-server); the first one takes 10-35 minutes on 2 cores.
#   bash scripts/real-server-smoke.sh            # build if needed, serve, run test/real-server.test.ts
set -euo pipefail
cd "$(dirname "$0")/.."
build=${LLAMA_BUILD_DIR:-.llmteam/llama-server}
port=${LLAMA_PORT:-8089}
bin=$build/build/bin/llama-server
if [[ ! -x $bin ]]; then
  bundle=node_modules/node-llama-cpp/llama/gitRelease.bundle
  [[ -f $bundle ]] || { echo "no llama.cpp source: install node-llama-cpp (npm ci)"; exit 1; }
  rm -rf "$build/src" && mkdir -p "$build" && git clone -q "$bundle" "$build/src"
  cmake -S "$build/src" -B "$build/build" -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DGGML_NATIVE=ON >/dev/null
  cmake --build "$build/build" -j"$(nproc)" --target llama-server >/dev/null
fi
LD_LIBRARY_PATH=$build/build/bin "$bin" -m models/llmteam-demo.gguf --jinja \
  --host 127.0.0.1 --port "$port" >"$build/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 150); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.2
done
LLMTEAM_LLAMA_URL="http://127.0.0.1:$port/v1" npx vitest run test/real-server.test.ts
