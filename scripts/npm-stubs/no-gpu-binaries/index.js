// Intentionally empty: node-llama-cpp asks a binary package for `getBinsDir()`;
// this stub has none, so node-llama-cpp falls back to the CPU build.
export {};
