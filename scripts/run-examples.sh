#!/usr/bin/env bash
# Exercises every example offline on the built-in demo model: validates each team and group
# file, runs each of them with `--model local/demo`, and runs the TypeScript example. Fails on
# the first example that does not succeed (exit code of `llmteam run` other than 0). Run through
# `npm run examples` (after `npm run build`).
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENAI_API_KEY=
started=$SECONDS
# examples/knowledge-docs.yaml answers from the docs: its knowledge base is built first, in a
# temporary folder the team files read through $LLMTEAM_KB_DIR (unset again for the TS examples).
kb_dir=$(mktemp -d)
export LLMTEAM_KB_DIR="$kb_dir"
node bin/llmteam.js ingest docs --kb docs --chunk-tokens 120 >/dev/null
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
unset LLMTEAM_KB_DIR
rm -rf "$kb_dir"
echo "== examples/quickstart.ts"
tsx examples/quickstart.ts "What is 17 * 23?"
echo "== examples/workflow.ts"
tsx examples/workflow.ts 1042
echo "== examples/team-builder.ts"
tsx examples/team-builder.ts "Answer customer billing questions politely"
# llmteam new on the demo model: it writes a team that validates, or (what the tiny demo model
# does) refuses honestly with exit code 1, the problems of its last design, and no file.
echo "== llmteam new (demo model)"
new_dir=$(mktemp -d)
set +e
node bin/llmteam.js new "Answer customer billing questions politely" --yes -o "$new_dir/team.yaml" >"$new_dir/log" 2>&1
new_code=$?
set -e
if [ "$new_code" -eq 0 ] && node bin/llmteam.js validate "$new_dir/team.yaml"; then
  echo "✓ llmteam new designed a valid team"
elif [ "$new_code" -eq 1 ] && grep -q "No team written" "$new_dir/log" && [ ! -e "$new_dir/team.yaml" ]; then
  grep -E "refused|No team written" "$new_dir/log" | cut -c1-160
  echo "✓ llmteam new refused the demo model's invalid designs and wrote nothing"
else
  cat "$new_dir/log"
  rm -rf "$new_dir"
  echo "✗ llmteam new on the demo model neither wrote a valid team nor refused cleanly" >&2
  exit 1
fi
rm -rf "$new_dir"
echo "All examples succeeded in $((SECONDS - started)) s."
