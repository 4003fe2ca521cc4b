"""Deterministic generator of realistic fine-tuning records, at any size.

    python benchmarks/generate.py 1000000 benchmarks/data/1m.jsonl
    python benchmarks/generate.py 100000 benchmarks/data/real_100000.jsonl --kind realtext

Lengths follow real instruction data (log-normal word counts: inputs around
30 words, outputs around 100, long tails), words come from a Zipf-distributed
vocabulary of 30,000 pseudo-words, and a known share of records are planted
exact duplicates (2 %) and near duplicates (2 %, a few words changed). Each
record has a category (12, unevenly sized) and 5 % carry three annotations.
The same size and seed always give the same bytes.

Two kinds of text, so that a cost that depends on text statistics shows:

- ``zipf`` (the default): words drawn from a Zipf-distributed vocabulary of
  30,000 pseudo-words of lowercase letters.
- ``realtext``: tokens drawn with their real frequencies from real
  instruction data (every whitespace token, so punctuation, digits and
  markup stay attached as people write them), with numbers, URLs, code
  blocks and words of non-Latin scripts mixed in. The vocabulary is derived
  at generation time from the shared datasets when they are present
  (``AUDITOR_SHARED_DATASETS``, default ``../shared/datasets``), else from
  ``benchmarks/vocabulary.txt`` (the Python documentation's tokens), so the
  benchmark also runs on a clean checkout; the file's first line of output
  names the source, and the same source, size and seed give the same bytes.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import orjson

VOCAB = 30_000
CATEGORIES = [f"task_{i:02d}" for i in range(12)]
CATEGORY_P = np.array([0.2, 0.15, 0.12, 0.1, 0.09, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.01])
EXACT_SHARE = 0.02
NEAR_SHARE = 0.02
ANNOTATED_SHARE = 0.05
KINDS = ("zipf", "realtext")

HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("AUDITOR_SHARED_DATASETS", HERE.parent.parent / "shared" / "datasets"))
#: Real instruction data the realtext vocabulary is counted from: prose, code, arithmetic, tool calls.
VOCAB_SOURCES = (
    "self_instruct_t0_50k/canonical.jsonl",
    "codealpaca/canonical_code_alpaca_2k.jsonl",
    "gsm8k/canonical_train.jsonl",
    "gpteacher/canonical_toolformer.jsonl",
)
REAL_VOCAB = 60_000  # most frequent tokens kept
# Words of non-Latin scripts (Cyrillic, Greek, Arabic, Hebrew, Devanagari, Chinese,
# Japanese, Korean, Thai): the real sets are almost all Latin, multilingual data is not.
NON_LATIN = {
    "ru": "и в не на что быть это он как вопрос ответ данные пример модель текст год человек время работа".split(),
    "el": "και το να είναι για με δεδομένα ερώτηση απάντηση παράδειγμα κείμενο χρόνος".split(),
    "ar": "في من على أن هذا السؤال الجواب البيانات مثال نموذج النص الوقت".split(),
    "he": "של את על זה שאלה תשובה נתונים דוגמה מודל טקסט זמן".split(),
    "hi": "और के में है यह प्रश्न उत्तर डेटा उदाहरण मॉडल पाठ समय".split(),
    "zh": "的 是 在 我们 问题 答案 数据 例子 模型 文本 时间 学习 训练".split(),
    "ja": "これは データ 質問 答え 例 モデル テキスト 時間 学習 です ます".split(),
    "ko": "그리고 데이터 질문 답변 예시 모델 텍스트 시간 학습 입니다".split(),
    "th": "และ ข้อมูล คำถาม คำตอบ ตัวอย่าง แบบจำลอง ข้อความ เวลา".split(),
}
TLDS = ("com", "org", "net", "io", "de", "co.uk", "edu")


def vocabulary(rng: np.random.Generator) -> np.ndarray:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lengths = rng.integers(2, 11, size=VOCAB)
    words = ["".join(rng.choice(letters, size=n)) for n in lengths]
    return np.array(words, dtype=object)


def real_vocabulary() -> tuple[np.ndarray, np.ndarray, str]:
    """Tokens and their counts, most frequent first, and where they came from."""
    counts: Counter[str] = Counter()
    found = [SHARED / rel for rel in VOCAB_SOURCES if (SHARED / rel).is_file()]
    for path in found:
        with path.open("rb") as fh:
            for line in fh:
                rec = orjson.loads(line)
                for key in ("instruction", "input", "output"):
                    value = rec.get(key)
                    if isinstance(value, str):
                        counts.update(value.split())
    if found:
        source = "shared datasets: " + ", ".join(p.relative_to(SHARED).as_posix() for p in found)
    else:
        for line in (HERE / "vocabulary.txt").read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                token, count = line.rsplit("\t", 1)
                counts[token] = int(count)
        source = "benchmarks/vocabulary.txt"
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:REAL_VOCAB]
    return np.array([w for w, _ in ranked], dtype=object), np.array([c for _, c in ranked], dtype=np.float64), source


def _number(rng: np.random.Generator) -> str:
    kind = int(rng.integers(5))
    if kind == 0:
        return str(int(rng.integers(0, 10_000)))
    if kind == 1:
        return f"{rng.random() * 1000:.2f}"
    if kind == 2:
        return f"${int(rng.integers(1, 500))}.{int(rng.integers(100)):02d}"
    if kind == 3:
        return f"{int(rng.integers(1990, 2030))}-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}"
    return f"{int(rng.integers(1, 100))}%"


def _ident(word: Callable[[], str]) -> str:
    parts = ["".join(c for c in word().lower() if c.isalnum() and c.isascii()) for _ in range(2)]
    return "_".join(p for p in parts if p) or "value"


def _code(rng: np.random.Generator, word: Callable[[], str]) -> str:
    """A small code block whose identifiers are the vocabulary's words."""
    fn, arg, other = _ident(word), _ident(word), _ident(word)
    n = int(rng.integers(2, 100))
    shape = int(rng.integers(3))
    if shape == 0:
        body = f"def {fn}({arg}, {other}={n}):\n    if {arg} > {other}:\n        return {arg} - {other}\n    return [{arg} * i for i in range({n})]"
    elif shape == 1:
        body = f"const {fn} = ({arg}) => {{\n  let {other} = {arg}.map(x => x + {n});\n  return {other}.filter(Boolean);\n}};"
    else:
        body = f"SELECT {arg}, COUNT(*) AS {other} FROM {fn} WHERE {arg} >= {n} GROUP BY {arg};"
    return "```\n" + body + "\n```"


def _url(rng: np.random.Generator, word: Callable[[], str]) -> str:
    host, path = _ident(word).replace("_", "-"), _ident(word).replace("_", "/")
    return f"https://www.{host}.{TLDS[int(rng.integers(len(TLDS)))]}/{path}?id={int(rng.integers(1, 10**6))}"


class RealText:
    """Texts of real tokens with numbers, URLs, code and non-Latin words mixed in."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.vocab, counts, self.source = real_vocabulary()
        self.cdf = np.cumsum(counts / counts.sum())
        self.scripts = sorted(NON_LATIN)

    def words(self, n: int) -> np.ndarray:
        return np.minimum(np.searchsorted(self.cdf, self.rng.random(n)), len(self.vocab) - 1)

    def one(self) -> str:
        return str(self.vocab[int(self.words(1)[0])])

    def text(self, tokens: list[str]) -> str:
        rng = self.rng
        u = rng.random(4)
        if u[0] < 0.35:  # numbers: counts, prices, dates, percentages
            for _ in range(int(rng.integers(1, 4))):
                tokens.insert(int(rng.integers(len(tokens) + 1)), _number(rng))
        if u[1] < 0.08:
            tokens.insert(int(rng.integers(len(tokens) + 1)), _url(rng, self.one))
        if u[2] < 0.06:  # a passage in another script
            words = NON_LATIN[self.scripts[int(rng.integers(len(self.scripts)))]]
            at = int(rng.integers(len(tokens) + 1))
            tokens[at:at] = [words[int(i)] for i in rng.integers(len(words), size=int(rng.integers(3, 25)))]
        if u[3] < 0.08:
            tokens.append(_code(rng, self.one))
        return " ".join(tokens)


def generate(n: int, out: Path, seed: int = 7, batch: int = 20_000, kind: str = "zipf") -> dict[str, int]:
    rng = np.random.default_rng(seed)
    real = RealText(rng) if kind == "realtext" else None
    if real is None:
        vocab = vocabulary(rng)
        ranks = np.arange(1, VOCAB + 1)
        p = 1.0 / ranks**1.07
        p /= p.sum()
        cdf = np.cumsum(p)
    else:
        vocab = real.vocab
        print(f"realtext vocabulary: {len(vocab):,} tokens from {real.source}", file=sys.stderr)
    planted = {"exact": 0, "near": 0}
    recent: list[dict[str, object]] = []
    out.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed when complete: run.py reuses any file that exists, and a
    # half-written one (another process still generating it) would be measured as the benchmark.
    partial = out.with_name(out.name + ".partial")
    with partial.open("wb") as fh:
        written = 0
        while written < n:
            size = min(batch, n - written)
            in_len = np.clip(rng.lognormal(3.3, 0.7, size).astype(int), 3, 2000)
            out_len = np.clip(rng.lognormal(4.3, 0.8, size).astype(int), 1, 4000)
            total = int(in_len.sum() + out_len.sum())
            words = real.words(total) if real is not None else np.minimum(np.searchsorted(cdf, rng.random(total)), VOCAB - 1)
            cats = rng.choice(len(CATEGORIES), size=size, p=CATEGORY_P)
            kind = rng.random(size)
            pos = 0
            lines = []
            for i in range(size):
                a, b = int(in_len[i]), int(out_len[i])
                rid = written + i + 1
                if recent and kind[i] < EXACT_SHARE:
                    src = recent[int(rng.integers(len(recent)))]
                    rec = {**src, "id": f"g{rid}"}
                    planted["exact"] += 1
                elif recent and kind[i] < EXACT_SHARE + NEAR_SHARE:
                    src = recent[int(rng.integers(len(recent)))]
                    text = str(src["output"]).split(" ")
                    for _ in range(max(1, len(text) // 40)):
                        text[int(rng.integers(len(text)))] = str(vocab[int(rng.integers(len(vocab)))])
                    rec = {**src, "id": f"g{rid}", "output": " ".join(text)}
                    planted["near"] += 1
                else:
                    if real is not None:  # real tokens keep their case (str.capitalize would lower the rest)
                        inp = real.text(vocab[words[pos : pos + a]].tolist())
                        outp = real.text(vocab[words[pos + a : pos + a + b]].tolist())
                        inp, outp = inp[:1].upper() + inp[1:], outp[:1].upper() + outp[1:]
                    else:
                        inp = " ".join(vocab[words[pos : pos + a]]).capitalize()
                        outp = " ".join(vocab[words[pos + a : pos + a + b]]).capitalize()
                    rec = {"id": f"g{rid}", "category": CATEGORIES[cats[i]], "instruction": inp + "?", "input": "", "output": outp + "."}
                    if kind[i] > 1 - ANNOTATED_SHARE:
                        true = CATEGORIES[cats[i]]
                        rec["annotations"] = [
                            {"annotator": f"a{j}", "label": true if rng.random() < 0.85 else CATEGORIES[int(rng.integers(12))]}
                            for j in range(3)
                        ]
                    if len(recent) < 2000:
                        recent.append(rec)
                    else:
                        recent[int(rng.integers(2000))] = rec
                pos += a + b
                lines.append(orjson.dumps(rec))
            fh.write(b"\n".join(lines) + b"\n")
            written += size
    partial.replace(out)
    return planted


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("records", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--kind", choices=KINDS, default="zipf", help="the text: Zipf pseudo-words, or real tokens (see above)")
    args = parser.parse_args(argv)
    planted = generate(args.records, args.out, args.seed, kind=args.kind)
    print(f"wrote {args.records} records to {args.out} ({args.out.stat().st_size / 1e6:.0f} MB); planted {planted}", file=sys.stderr)


if __name__ == "__main__":
    main()
