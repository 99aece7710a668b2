"""Step 4 of the demo model build: trains the tiny llama model on the tokenized corpus.

Usage: python3 train.py --work-dir build [--steps 1400] [--tokens-per-batch 2048] [--seed 20261125] [--threads 1]
Reads tokens.bin, mask.bin and index.json, writes model.pt (config + weights) and train-log.jsonl.
Loss is computed only on what the model must learn to write, weighted by mask.bin: from the
first assistant turn of each conversation on, tool calls counting triple, without the tool
results the runtime inserts (system prompts, tool documentation, user messages and tool results
are context).
Reproducible: fixed seeds and a fixed step count (bit-for-bit on the same torch build and thread count).
One thread by default: on a shared 2-core machine it ran 3x faster than two (no OpenMP contention).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path

import numpy as np
import sentencepiece
import torch
import torch.nn.functional as functional

from model import Llama, ModelConfig

PAD_ID = 0


def make_batches(index: list[list[int]], tokens_per_batch: int, generator: random.Random) -> list[list[int]]:
    """Groups conversations of similar length so that padding stays small."""
    order = sorted(range(len(index)), key=lambda item: (index[item][1], generator.random()))
    batches: list[list[int]] = []
    current: list[int] = []
    for item in order:
        longest = index[item][1]
        if current and (len(current) + 1) * longest > tokens_per_batch:
            batches.append(current)
            current = []
        current.append(item)
    if current:
        batches.append(current)
    generator.shuffle(batches)
    return batches


def collate(batch: list[int], index: list[list[int]], tokens: np.ndarray, mask: np.ndarray) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    longest = max(index[item][1] for item in batch)
    inputs = torch.full((len(batch), longest - 1), PAD_ID, dtype=torch.long)
    targets = torch.full((len(batch), longest - 1), -100, dtype=torch.long)
    weights = torch.zeros((len(batch), longest - 1), dtype=torch.float32)
    for row, item in enumerate(batch):
        offset, length, _loss_start = index[item]
        sequence = torch.from_numpy(tokens[offset : offset + length].astype(np.int64))
        inputs[row, : length - 1] = sequence[:-1]
        scored = sequence[1:].clone()
        # target position t predicts token t + 1; mask.bin says which tokens are scored
        weight = torch.from_numpy(mask[offset + 1 : offset + length].astype(np.float32))
        scored[weight == 0] = -100
        targets[row, : length - 1] = scored
        weights[row, : length - 1] = weight
    return inputs, targets, weights


def learning_rate(step: int, steps: int, peak: float, warmup: int) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=1400)
    parser.add_argument("--tokens-per-batch", type=int, default=2048)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--warmup-steps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--log-every", type=int, default=50)
    arguments = parser.parse_args()

    torch.manual_seed(arguments.seed)
    torch.set_num_threads(arguments.threads)
    generator = random.Random(arguments.seed)
    work_dir: Path = arguments.work_dir
    tokens = np.fromfile(work_dir / "tokens.bin", dtype=np.uint16)
    mask = np.fromfile(work_dir / "mask.bin", dtype=np.uint8)
    index: list[list[int]] = json.loads((work_dir / "index.json").read_text())
    vocab_size = sentencepiece.SentencePieceProcessor(model_file=str(work_dir / "tokenizer.model")).vocab_size()
    config = ModelConfig(vocab_size=vocab_size)
    model = Llama(config)
    print(json.dumps({"parameters": model.parameter_count(), "config": config.to_dict(), "conversations": len(index), "tokens": len(tokens)}), flush=True)

    decay = [parameter for name, parameter in model.named_parameters() if parameter.dim() >= 2]
    no_decay = [parameter for name, parameter in model.named_parameters() if parameter.dim() < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
        lr=arguments.learning_rate,
        betas=(0.9, 0.95),
    )
    log = (work_dir / "train-log.jsonl").open("w")
    batches: list[list[int]] = []
    started = time.monotonic()
    seen_tokens = 0
    running_loss = 0.0
    for step in range(arguments.steps):
        if not batches:
            batches = make_batches(index, arguments.tokens_per_batch, generator)
        inputs, targets, weights = collate(batches.pop(), index, tokens, mask)
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, arguments.steps, arguments.learning_rate, arguments.warmup_steps)
        logits = model(inputs)
        losses = functional.cross_entropy(logits.view(-1, config.vocab_size), targets.view(-1), ignore_index=-100, reduction="none")
        loss = (losses * weights.view(-1)).sum() / weights.sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        seen_tokens += inputs.numel()
        running_loss += loss.item()
        if (step + 1) % arguments.log_every == 0 or step + 1 == arguments.steps:
            elapsed = time.monotonic() - started
            record = {"step": step + 1, "loss": round(running_loss / arguments.log_every, 4), "lr": round(optimizer.param_groups[0]["lr"], 6), "tokens": seen_tokens, "seconds": round(elapsed, 1), "tokensPerSecond": round(seen_tokens / elapsed)}
            running_loss = 0.0
            print(json.dumps(record), flush=True)
            log.write(json.dumps(record) + "\n")
            log.flush()
    torch.save({"config": config.to_dict(), "state_dict": model.state_dict()}, work_dir / "model.pt")
    print(json.dumps({"saved": str(work_dir / "model.pt"), "seconds": round(time.monotonic() - started, 1)}), flush=True)


if __name__ == "__main__":
    main()
