#!/usr/bin/env bash
# Rebuilds the built-in demo model: corpus → tokenizer → tokens → training → GGUF → evaluation.
# Usage: scripts/demo-model/build.sh [conversations=14000] [steps=1400]
# Needs (Debian bookworm): apt-get install -y python3-torch python3-sentencepiece python3-numpy libopenblas0-pthread
# and `npm ci` (node-llama-cpp ships llama.cpp's gguf-py, used to write the GGUF).
set -euo pipefail
cd "$(dirname "$0")/../.."
CONVERSATIONS="${1:-14000}"
STEPS="${2:-1400}"
PYTHON="${PYTHON:-/usr/bin/python3}"
WORK="${DEMO_MODEL_WORK_DIR:-${TMPDIR:-/tmp}/llmteam-demo-model}"
OUT="models/llmteam-demo.gguf"
mkdir -p "$WORK" models

# gguf-py comes from the llama.cpp source bundled in node-llama-cpp (a git bundle).
GGUF_SOURCE="$WORK/llama.cpp"
if [ ! -d "$GGUF_SOURCE/gguf-py" ]; then
  git -c advice.detachedHead=false clone --quiet node_modules/node-llama-cpp/llama/gitRelease.bundle "$GGUF_SOURCE"
fi
export PYTHONPATH="$GGUF_SOURCE/gguf-py:$PWD/scripts/demo-model"
# One BLAS thread: torch's own thread (see train.py) does the parallel work.
export OPENBLAS_NUM_THREADS=1

started=$(date +%s)
npx tsx scripts/demo-model/generate-corpus.ts "$WORK" "$CONVERSATIONS"
"$PYTHON" scripts/demo-model/train_tokenizer.py --work-dir "$WORK"
"$PYTHON" scripts/demo-model/export_gguf.py --work-dir "$WORK" --out "$WORK/vocab.gguf" --vocab-only
npx tsx scripts/demo-model/tokenize-corpus.ts "$WORK"
"$PYTHON" scripts/demo-model/train.py --work-dir "$WORK" --steps "$STEPS"
"$PYTHON" scripts/demo-model/export_gguf.py --work-dir "$WORK" --out "$OUT"
npx tsx scripts/demo-model/evaluate.ts "$OUT"
echo "demo model built in $(( $(date +%s) - started )) s: $OUT"
