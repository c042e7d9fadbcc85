#!/usr/bin/env python3
"""Generates the tokenizer test fixtures of model-runtime from the reference `sentencepiece` encoder.

Usage (from the repository root; needs `pip install sentencepiece tokenizers`):

    python3 model-runtime/scripts/tokenizer/make_fixtures.py \
        --model model-runtime/src/test/resources/tokenizer/mistral-v1/tokenizer.model \
        --seeds MODEL_CARDS_DIR \
        --out model-runtime/src/test/resources/tokenizer

MODEL_CARDS_DIR holds the served models' cards as .txt files (their reWOO planning prompt and context blocks
become corpus entries).

Writes, under --out/mistral-v1/:
  tokenizer.model          a copy of --model
  tokenizer.json.gz        the same model in Hugging Face `tokenizers` format (built here, see build_hf_json)
  tokenizer_config.json    add_bos_token/add_eos_token as Mistral 7B v0.1 ships them
and --out/mistral-v1-corpus.json: every corpus text with the ids sentencepiece gives it and the text
sentencepiece decodes those ids back to, plus decode-only cases (hand-made id sequences).

The script also checks that the tokenizer.json it writes encodes every corpus text (that holds no literal
special-token text) exactly like sentencepiece, so the JSON is a faithful copy of the model.
"""
import argparse
import gzip
import json
import os
import random
import re
import shutil

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as model_pb2


def seed_sections(seeds_dir):
    """The reWOO planning prompt and a BEGININPUT block from the seeds' model cards, plus one whole card."""
    out = []
    names = sorted(n for n in os.listdir(seeds_dir) if n.endswith(".txt"))
    texts = {n: open(os.path.join(seeds_dir, n), encoding="utf-8").read() for n in names}
    for n, t in texts.items():
        m = re.search(r"reWOO style execution planning.*?```\n(.*?)```", t, re.S)
        if m:
            out.append(("seed-rewoo-planning-prompt", m.group(1)))
            break
    for n, t in texts.items():
        m = re.search(r"(BEGININPUT\n.*?ENDINSTRUCTION\n)", t, re.S)
        if m:
            out.append(("seed-begininput-block", m.group(1)))
            break
    for n, t in texts.items():
        m = re.search(r"(\[INST\].*?\[/INST\])", t, re.S)
        if m:
            out.append(("seed-inst-prompt", m.group(1)))
            break
    # one whole model card: long, mixed markdown, tables and code
    smallest = min(names, key=lambda n: len(texts[n]))
    out.append(("seed-whole-card-" + smallest.split("_")[0], texts[smallest]))
    return out


HAND_WRITTEN = [
    ("empty", ""),
    ("single-space", " "),
    ("spaces-only", "     "),
    ("single-letter", "a"),
    ("english-prose", "The quick brown fox jumps over the lazy dog. It was the best of times, it was the worst of times."),
    ("english-hello", "Hello world"),
    ("leading-trailing-spaces", "   leading and trailing   "),
    ("multi-space-runs", "a  b   c    d     e          f"),
    ("newlines", "line one\nline two\n\nline four\n"),
    ("crlf", "first line\r\nsecond line\r\n\r\nthird"),
    ("tabs-code", "def f(x):\n\tif x > 0:\n\t\treturn x * 2\n\treturn -x\n"),
    ("java-code", "public final class Main {\n    public static void main(String[] args) {\n"
                  "        System.out.println(\"Hi \" + args.length); // comment\n    }\n}\n"),
    ("json", '{"steps": [{"id": "evidence0", "tool": "DuckDuckGo", "dependsOn": []}], "answer": ":evidence1:"}'),
    ("digits", "3.14159 2026-01-01 1,000,000 0x7fffffff 1e-9"),
    ("punctuation", "Wait... what?! (yes) [no] {maybe} <tag/> \"quoted\" 'single' -- ~ ` @#$%^&*_+=|\\;:"),
    ("accented-latin", "Crème brûlée, naïve façade, Ångström, São Paulo, Dvořák, Łódź, Øresund, straße"),
    ("greek", "Η γρήγορη καφέ αλεπού πηδάει πάνω από τον τεμπέλη σκύλο."),
    ("cyrillic", "Съешь же ещё этих мягких французских булок, да выпей чаю."),
    ("cjk-chinese", "我能吞下玻璃而不伤身体。机器学习模型的分词器。"),
    ("cjk-japanese", "いろはにほへと ちりぬるを カタカナ 漢字とひらがな"),
    ("korean", "다람쥐 헌 쳇바퀴에 타고파"),
    ("arabic", "نص حكيم له سر قاطع وذو شأن عظيم مكتوب على ثوب أخضر"),
    ("hebrew", "דג סקרן שט בים מאוכזב ולפתע מצא חברה"),
    ("hindi", "ऋषियों को सताने वाले दुष्ट राक्षसों के राजा रावण का सर्वनाश"),
    ("thai", "เป็นมนุษย์สุดประเสริฐเลิศคุณค่า"),
    ("emoji-simple", "I love 🍕 and 🎉! 😀😃😄"),
    ("emoji-zwj", "Family: 👨‍👩‍👧‍👦 couple: 👩‍❤️‍👨 rainbow flag: 🏳️‍🌈"),
    ("emoji-skin-tones", "👍🏻 👍🏼 👍🏽 👍🏾 👍🏿 🧑🏽‍💻"),
    ("emoji-flags", "🇫🇷🇩🇪🇯🇵🇺🇸"),
    ("byte-fallback-rare", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ⿰氵告 ꙮ 𓀀 𐍈 🜁 ᚠᛇᚻ"),
    ("combining-marks", "e\u0301 a\u0308 n\u0303 Z\u0351\u0352\u0353"),
    ("zero-width-and-nbsp", "a\u200bb\u200cc\u200dd\u00a0e\u2009f\u3000g\ufeffh"),
    ("control-chars", "bell\u0007 esc\u001b[0m del\u007f vt\u000b ff\u000c"),
    ("replacement-char", "bad \ufffd char"),
    ("lower-one-eighth-block", "already ▁escaped▁ text ▁▁"),
    ("special-token-text", "<s>[INST] What is 2+2? [/INST] 4</s> <unk> <0x41>"),
    ("mixed-everything", "  Tab\there — “smart quotes” € £ ¥ © ® ™ ½ → ∑ ∫ √ ∞ 𝛼 😀\r\n  end  "),
    ("long-word", "Pneumonoultramicroscopicsilicovolcanoconiosis antidisestablishmentarianism"),
    ("url-email", "See https://huggingface.co/mistralai/Mistral-7B-v0.1?x=1&y=2#frag or mail a.b@example.org"),
    ("markdown", "# Title\n\n- item **bold** _it_ `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"),
    ("repeated-chars", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ........ ---------- !!!!!!!"),
]

ALPHABETS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "0123456789",
    " ", "  ", "\n", "\t", "\r\n",
    ".,;:!?-_()[]{}<>\"'/\\|@#$%^&*+=~`",
    "éèêëàâäôöûüçñßøåæœ",
    "αβγδεζηθικλμνξοπρστυφχψω",
    "абвгдежзийклмнопрстуфхцчшщъыьэюя",
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年",
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "😀😂🥲🙂🎉🍕🚀🇫🇷👍🏽👩‍💻❤️",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢𓀀𐍈ꙮ⿰",
    "▁",
]


def random_texts(count, seed=20240611):
    rng = random.Random(seed)
    out = []
    for i in range(count):
        parts = []
        for _ in range(rng.randint(1, 12)):
            alphabet = rng.choice(ALPHABETS)
            if alphabet in (" ", "  ", "\n", "\t", "\r\n", "▁"):
                parts.append(alphabet * rng.randint(1, 3))
            else:
                parts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 10))))
        out.append(("random-%03d" % i, "".join(parts)))
    return out


def build_hf_json(model_path):
    """The model as a Hugging Face `tokenizers` BPE tokenizer, converted the way transformers' LlamaConverter
    (legacy mode) does: vocab = pieces in id order, merges = every split of a piece into two pieces, ordered by
    the merged piece's score (best first), normalizer Prepend("▁") + Replace(" ", "▁"), byte_fallback."""
    from tokenizers import AddedToken, Tokenizer, decoders, normalizers, processors
    from tokenizers.models import BPE

    proto = model_pb2.ModelProto()
    with open(model_path, "rb") as f:
        proto.ParseFromString(f.read())
    vocab = {p.piece: i for i, p in enumerate(proto.pieces)}
    scores = {p.piece: p.score for p in proto.pieces}
    merges = []
    for piece, i in vocab.items():
        # only pieces sentencepiece's BPE may produce by merging (NORMAL / USER_DEFINED / UNUSED)
        if proto.pieces[i].type not in (1, 4, 5):
            continue
        local = []
        for k in range(1, len(piece)):
            left, right = piece[:k], piece[k:]
            if left in vocab and right in vocab:
                local.append((left, right, scores[piece], i))
        local.sort(key=lambda m: (vocab[m[0]], vocab[m[1]]))
        merges.extend(local)
    merges.sort(key=lambda m: (-m[2], m[3]))  # stable: best score first, then id, then split order
    tok = Tokenizer(BPE(vocab, [(m[0], m[1]) for m in merges], unk_token=proto.trainer_spec.unk_piece,
                        fuse_unk=True, byte_fallback=True, dropout=None))
    tok.add_tokens([AddedToken(p.piece, normalized=False, special=(p.type == 3))
                    for p in proto.pieces if p.type in (3, 4)])
    tok.add_special_tokens([AddedToken(p.piece, normalized=False, special=True)
                            for p in proto.pieces if p.type in (2, 3)])
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tok.pre_tokenizer = None
    tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(" ", 1, 0)])
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", proto.trainer_spec.bos_id)])
    return tok


def decode_cases(sp):
    """Id sequences that exercise the decoder: control ids, leading-space stripping, byte runs cut short."""
    b = lambda byte: sp.piece_to_id("<0x%02X>" % byte)
    hello = sp.encode("Hello")
    world = sp.encode(" world")
    emoji = list("😀".encode("utf-8"))
    return [
        ("bos-then-text", [1] + hello + [2]),
        ("lone-space-piece-first", [sp.piece_to_id("▁")] + hello),
        ("two-space-pieces-first", [sp.piece_to_id("▁"), sp.piece_to_id("▁")] + hello),
        ("bytes-first-then-space-word", [b(x) for x in "é".encode()] + world),
        ("emoji-bytes", [b(x) for x in emoji]),
        ("emoji-cut-short", [b(x) for x in emoji[:3]] + hello),
        ("emoji-cut-at-end", hello + [b(x) for x in emoji[:2]]),
        ("lone-continuation-bytes", [b(0x80), b(0xBF)] + world),
        ("invalid-lead-bytes", [b(0xC0), b(0xAF), b(0xFF), b(0xF5), b(0x80), b(0x80), b(0x80)]),
        ("overlong-and-surrogate", [b(0xE0), b(0x80), b(0xAF), b(0xED), b(0xA0), b(0x80)]),
        ("encoded-replacement-char", [b(0xEF), b(0xBF), b(0xBD)]),
        ("ascii-bytes-between", [b(0x41)] + world + [b(0x42)]),
        ("unk", [0] + hello + [0]),
        ("eos-bos-only", [2, 1]),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--seeds", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--random", type=int, default=300)
    args = ap.parse_args()

    sp = spm.SentencePieceProcessor(model_file=args.model)
    model_dir = os.path.join(args.out, "mistral-v1")
    os.makedirs(model_dir, exist_ok=True)
    target = os.path.join(model_dir, "tokenizer.model")
    if not (os.path.exists(target) and os.path.samefile(args.model, target)):
        shutil.copyfile(args.model, target)
    with open(os.path.join(model_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"add_bos_token": True, "add_eos_token": False,
                   "bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": False, "normalized": False,
                                 "rstrip": False, "single_word": False},
                   "eos_token": {"__type": "AddedToken", "content": "</s>", "lstrip": False, "normalized": False,
                                 "rstrip": False, "single_word": False},
                   "unk_token": {"__type": "AddedToken", "content": "<unk>", "lstrip": False, "normalized": False,
                                 "rstrip": False, "single_word": False},
                   "legacy": True, "model_max_length": 1000000000000000019884624838656,
                   "pad_token": None, "sp_model_kwargs": {}, "spaces_between_special_tokens": False,
                   "tokenizer_class": "LlamaTokenizer", "clean_up_tokenization_spaces": False},
                  f, indent=2)
        f.write("\n")

    hf = build_hf_json(args.model)
    hf_json = hf.to_str()
    with gzip.GzipFile(os.path.join(model_dir, "tokenizer.json.gz"), "wb", mtime=0) as f:
        f.write(hf_json.encode("utf-8"))

    corpus = HAND_WRITTEN + seed_sections(args.seeds) + random_texts(args.random)
    entries = []
    hf_checked = hf_mismatch = 0
    for name, text in corpus:
        ids = sp.encode(text)
        entries.append({"name": name, "text": text, "ids": ids, "decoded": sp.decode(ids)})
        if not any(s in text for s in ("<s>", "</s>", "<unk>")):
            hf_checked += 1
            if hf.encode(text, add_special_tokens=False).ids != ids:
                hf_mismatch += 1
                print("tokenizer.json differs from sentencepiece on", name)
    decodes = [{"name": n, "ids": ids, "decoded": sp.decode(ids)} for n, ids in decode_cases(sp)]
    with open(os.path.join(args.out, "mistral-v1-corpus.json"), "w", encoding="utf-8") as f:
        json.dump({"model": "mistral-v1-tokenizer.model (mistral_common 1.12.0, tokenizer.model.v1)",
                   "reference": "sentencepiece " + spm.__version__,
                   "entries": entries, "decodes": decodes}, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print("%d corpus entries, %d decode cases; tokenizer.json matches sentencepiece on %d/%d"
          % (len(entries), len(decodes), hf_checked - hf_mismatch, hf_checked))


if __name__ == "__main__":
    main()
