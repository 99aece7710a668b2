"""Writes the trained demo model as a llama-architecture GGUF file that llama.cpp loads as is.

Usage: python3 export_gguf.py --work-dir build --out models/llmteam-demo.gguf [--vocab-only]
Needs gguf-py on PYTHONPATH (build.sh takes it from node-llama-cpp's bundled llama.cpp source).
The SentencePiece BPE vocabulary becomes a `llama` (SPM) tokenizer; the chat template comes
from chat-template.jinja; weights are stored as F16 (norms as F32).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import gguf
import numpy as np
import sentencepiece
import torch

from model import CONTROL_PIECES, USER_DEFINED_PIECES, ModelConfig

HERE = Path(__file__).resolve().parent


def tensor_name(name: str) -> str | None:
    """Maps a parameter name of model.py to llama.cpp's tensor name."""
    if name == "tok_embeddings.weight":
        return "token_embd.weight"
    if name == "norm.weight":
        return "output_norm.weight"
    parts = name.split(".")  # layers.<n>.<module>[.<sub>].weight
    if parts[0] != "layers":
        return None
    block = f"blk.{parts[1]}"
    rest = ".".join(parts[2:])
    return {
        "attention_norm.weight": f"{block}.attn_norm.weight",
        "attention.wq.weight": f"{block}.attn_q.weight",
        "attention.wk.weight": f"{block}.attn_k.weight",
        "attention.wv.weight": f"{block}.attn_v.weight",
        "attention.wo.weight": f"{block}.attn_output.weight",
        "ffn_norm.weight": f"{block}.ffn_norm.weight",
        "feed_forward.w1.weight": f"{block}.ffn_gate.weight",
        "feed_forward.w2.weight": f"{block}.ffn_down.weight",
        "feed_forward.w3.weight": f"{block}.ffn_up.weight",
    }.get(rest)


def add_tokenizer(writer: gguf.GGUFWriter, tokenizer_path: Path, chat_template: str) -> None:
    processor = sentencepiece.SentencePieceProcessor(model_file=str(tokenizer_path))
    tokens: list[bytes] = []
    scores: list[float] = []
    types: list[int] = []
    for token_id in range(processor.vocab_size()):
        piece = processor.id_to_piece(token_id)
        tokens.append(piece.encode("utf-8"))
        scores.append(processor.get_score(token_id))
        if processor.is_unknown(token_id):
            types.append(gguf.TokenType.UNKNOWN)
        elif processor.is_control(token_id) or piece in CONTROL_PIECES:
            types.append(gguf.TokenType.CONTROL)
        elif piece in USER_DEFINED_PIECES:
            types.append(gguf.TokenType.USER_DEFINED)
        elif processor.is_byte(token_id):
            types.append(gguf.TokenType.BYTE)
        elif processor.is_unused(token_id):
            types.append(gguf.TokenType.UNUSED)
        else:
            types.append(gguf.TokenType.NORMAL)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_unk_token_id(processor.unk_id())
    writer.add_bos_token_id(processor.bos_id())
    writer.add_eos_token_id(processor.piece_to_id("<|im_end|>"))
    writer.add_eot_token_id(processor.piece_to_id("<|im_end|>"))
    writer.add_pad_token_id(processor.pad_id() if processor.pad_id() >= 0 else processor.unk_id())
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.add_add_space_prefix(False)
    writer.add_chat_template(chat_template)


def export(work_dir: Path, out: Path, vocab_only: bool) -> None:
    if vocab_only:
        processor = sentencepiece.SentencePieceProcessor(model_file=str(work_dir / "tokenizer.model"))
        config = ModelConfig(vocab_size=processor.vocab_size())
        state: dict[str, torch.Tensor] = {}
    else:
        checkpoint = torch.load(work_dir / "model.pt", map_location="cpu")
        config = ModelConfig(**checkpoint["config"])
        state = checkpoint["state_dict"]
    chat_template = (HERE / "chat-template.jinja").read_text(encoding="utf-8")

    writer = gguf.GGUFWriter(str(out), "llama")
    writer.add_name("llmteam-demo")
    writer.add_description(
        "Tiny built-in demo model of llmteam, trained on a synthetic corpus of the example teams. "
        "Not a real assistant: use it to try llmteam offline."
    )
    writer.add_license("MIT")
    writer.add_context_length(config.context_length)
    writer.add_embedding_length(config.dim)
    writer.add_block_count(config.layers)
    writer.add_feed_forward_length(config.ffn_dim)
    writer.add_head_count(config.heads)
    writer.add_head_count_kv(config.kv_heads)
    writer.add_rope_dimension_count(config.head_dim)
    writer.add_rope_freq_base(config.rope_theta)
    writer.add_layer_norm_rms_eps(config.norm_eps)
    writer.add_vocab_size(config.vocab_size)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    add_tokenizer(writer, work_dir / "tokenizer.model", chat_template)

    for name, value in state.items():
        target = tensor_name(name)
        if target is None:
            continue
        array = value.detach().float().numpy()
        # 1-D tensors (norms) stay F32, as llama.cpp expects; matrices are stored as F16.
        writer.add_tensor(target, array if array.ndim == 1 else array.astype(np.float16))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    print(json.dumps({"out": str(out), "bytes": out.stat().st_size, "config": config.to_dict()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work-dir", type=Path, required=True, help="directory with model.pt and tokenizer.model")
    parser.add_argument("--out", type=Path, required=True, help="GGUF file to write")
    parser.add_argument("--vocab-only", action="store_true", help="write only the tokenizer (to tokenize the corpus)")
    arguments = parser.parse_args()
    export(arguments.work_dir, arguments.out, arguments.vocab_only)


if __name__ == "__main__":
    main()
