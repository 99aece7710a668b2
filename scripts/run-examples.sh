#!/usr/bin/env bash
# Exercises every example offline on the built-in demo model: validates each team and group
# file, runs each of them with `--model local/demo`, and runs the TypeScript example. Fails on
# the first example that does not succeed (exit code of `llmteam run` other than 0). Run through
# `npm run examples` (after `npm run build`).
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENAI_API_KEY=
started=$SECONDS
# examples/knowledge-docs.yaml answers from the docs: its knowledge base is built first (.llmteam/kb/docs.db).
node bin/llmteam.js ingest docs --kb docs --chunk-tokens 120 --sync >/dev/null
for file in examples/*.yaml; do
  node bin/llmteam.js validate "$file"
done
for file in examples/*.yaml; do
  echo "== $file"
  begin=$SECONDS
  if ! node bin/llmteam.js run "$file" --model local/demo --query "Why do cats purr?" >.llmteam-example.log 2>&1; then
    cat .llmteam-example.log
    rm -f .llmteam-example.log
    echo "✗ $file did not succeed on the demo model" >&2
    exit 1
  fi
  echo "✓ $file ($((SECONDS - begin)) s)"
done
rm -f .llmteam-example.log
echo "== examples/quickstart.ts"
tsx examples/quickstart.ts "What is 17 * 23?"
echo "All examples succeeded in $((SECONDS - started)) s."
