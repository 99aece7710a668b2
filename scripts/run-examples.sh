#!/usr/bin/env bash
# Exercises every example: validates each team and group file, runs the quick-start files and the
# TypeScript example on the built-in demo model (offline). Run through `npm run examples`.
set -euo pipefail
cd "$(dirname "$0")/.."
for file in examples/*.yaml; do
  node bin/llmteam.js validate "$file"
done
node bin/llmteam.js run examples/support.yaml --model local/demo --query "My invoice is wrong"
node bin/llmteam.js run examples/research.yaml --model local/demo --query "Why do cats purr?"
OPENAI_API_KEY= tsx examples/quickstart.ts "What is 17 * 23?"
