"""Step 2 of the demo model build: trains the SentencePiece BPE tokenizer on the corpus text.

Usage: python3 train_tokenizer.py --work-dir build [--vocab-size 2048]
Reads build/corpus.txt, writes build/tokenizer.model. Byte fallback covers any input; no
normalisation and no dummy prefix, so llama.cpp's SPM tokenizer cuts text the same way.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import sentencepiece

from model import CONTROL_PIECES, USER_DEFINED_PIECES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--vocab-size", type=int, default=2048)
    arguments = parser.parse_args()
    if hasattr(sentencepiece, "SetRandomGeneratorSeed"):
        sentencepiece.SetRandomGeneratorSeed(20261125)
    sentencepiece.SentencePieceTrainer.train(
        input=str(arguments.work_dir / "corpus.txt"),
        model_prefix=str(arguments.work_dir / "tokenizer"),
        model_type="bpe",
        vocab_size=arguments.vocab_size,
        byte_fallback=True,
        split_digits=True,
        user_defined_symbols=CONTROL_PIECES + USER_DEFINED_PIECES,
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        add_dummy_prefix=False,
        character_coverage=1.0,
        max_sentence_length=100000,
        input_sentence_size=2000000,
        shuffle_input_sentence=True,
        seed_sentencepiece_size=1000000,
        num_threads=2,
        minloglevel=2,
    )
    print(f"wrote {arguments.work_dir / 'tokenizer.model'}")


if __name__ == "__main__":
    main()
