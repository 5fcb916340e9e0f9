"""Quality as error rates, on inputs the stages were not tuned on.

    python bench/quality.py            # the table of figures
    python bench/quality.py --json     # the same figures as JSON
    python bench/quality.py -v         # plus every failure found (inputs and outputs)

The stages were tuned on the five seeds. This bench measures them on held-out text
(bench/heldout/, written before the first run and never adjusted to the results; see its
README.md) and on transformations of clean text that no stage was tuned on:

1. decode: random slices of the seeds and held-out texts (16…1024 bytes, cut at character
   boundaries) in GB18030, GBK, Big5, UTF-16 (BOM), UTF-16-LE/BE (no BOM), UTF-8 →
   exact text out of ``policyclean.decode.decode``;
   mojibake: sentences made into UTF-8-read-as-GB18030/GBK and GBK-read-as-Latin-1/cp1252
   → exact repair by ``policyclean.mojibake.run``; clean lines changed by it (false positives).
2. t2s: clean Simplified text made Traditional character by character (naive reposting
   sites) → character error rate of the t2s stage (after normalise) and of the pipeline;
   do no harm: the clean Simplified text itself through the whole pipeline.
3. boilerplate: held-out chrome lines around clean document bodies → chrome recall and
   body precision of the pipeline.
4. despin: bench/despin_selfcheck.py's engine self-check, and held-out policy paragraphs
   spun with the table's forward direction → CER after restoring; clean paragraphs → changes.
5. placeholders/metadata: held-out notice heads with masked province names → resolution
   precision/recall and document-number accuracy.
6. whole pipeline: held-out web pages (bench/heldout/pages*/NN/page.txt: an invented official
   document inside site chrome, some with a news lead) → the official text (official.txt):
   document lines lost or changed, chrome/lead lines left, CER, documents exactly right; and
   each official text alone through the pipeline (do no harm).

Randomness is seeded (--seed), so the figures are reproducible. Character error rate (CER)
is the number of character edits (difflib alignment per line, max of the two sides of each
differing block; lines aligned by difflib on the line level) divided by the number of
characters of the reference text.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import json
import random
import sys
import time
from bisect import bisect_left
from collections import Counter
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELD = ROOT / "bench" / "heldout"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import opencc  # noqa: E402

import policyclean  # noqa: E402
from policyclean import decode as decode_stage  # noqa: E402
from policyclean import despin, mojibake, normalise, script  # noqa: E402
from policyclean.model import Config  # noqa: E402
from policyclean.spintable import Spinner, load_profiles  # noqa: E402

CONFIG = Config()
LENGTHS = (16, 32, 64, 128, 256, 1024)
ENCODINGS = ("gb18030", "gbk", "big5", "utf-16", "utf-16-le", "utf-16-be", "utf-8")
HELD_CHINESE = ("text_a_notice.txt", "text_b_news.txt", "text_c_environment.txt")
VERBOSE = False


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def seeds() -> list[tuple[str, str]]:
    return [(p.name[:3], read(p)) for p in sorted((ROOT / "seeds").glob("[0-9]*.txt"))]


def heldout_chinese() -> list[tuple[str, str]]:
    return [(name, read(HELD / name)) for name in HELD_CHINESE]


# ---------------------------------------------------------------- edit distance

def _char_edits(a: str, b: str) -> tuple[int, list[tuple[str, str]]]:
    """Edits between two lines and the differing pieces (expected, got)."""
    total, pairs = 0, []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            total += max(i2 - i1, j2 - j1)
            if tag == "replace" and i2 - i1 == j2 - j1:
                pairs.extend(zip(a[i1:i2], b[j1:j2]))  # one-for-one: list character by character
            else:
                pairs.append((a[i1:i2], b[j1:j2]))
    return total, pairs


def edits(reference: str, got: str) -> tuple[int, list[tuple[str, str]], list[tuple[str, str]]]:
    """Character edits turning ``reference`` into ``got``; the differing (expected, got)
    pieces; and the differing lines (expected, got)."""
    ref_lines, got_lines = reference.split("\n"), got.split("\n")
    total, pairs, lines = 0, [], []
    matcher = difflib.SequenceMatcher(None, ref_lines, got_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        a, b = ref_lines[i1:i2], got_lines[j1:j2]
        if tag == "replace" and len(a) == len(b):
            for la, lb in zip(a, b):
                n, p = _char_edits(la, lb)
                total += n
                pairs.extend(p)
                lines.append((la, lb))
        else:
            n, p = _char_edits("\n".join(a), "\n".join(b))
            total += n
            pairs.extend(p)
            lines.append(("\n".join(a), "\n".join(b)))
    return total, pairs, lines


def pct(num: float, den: float) -> str:
    return "n/a" if not den else f"{100 * num / den:.1f}%"


# ---------------------------------------------------------------- 1. decoding

def _slices(text: str, encoding: str, length: int, count: int, rng: random.Random) -> list[str]:
    """``count`` random slices of ``text`` whose encoding is ``length`` bytes or just over,
    cut at character boundaries; slices the encoding cannot encode are skipped (a bounded
    number of tries, so an unencodable text yields fewer or none)."""
    codec = {"utf-16": "utf-16-le"}.get(encoding, encoding)  # size without the BOM
    sizes = []
    for ch in text:  # bench code: one pass per text and encoding, cached by the caller
        try:
            sizes.append(len(ch.encode(codec)))
        except UnicodeEncodeError:
            sizes.append(10 ** 6)  # poison: a slice over it is unencodable
    cum = [0, *accumulate(sizes)]
    out, tries = [], 0
    while len(out) < count and tries < count * 20:
        tries += 1
        start = rng.randrange(len(text))
        end = bisect_left(cum, cum[start] + length, lo=start)
        if end >= len(cum) or cum[end] - cum[start] >= 10 ** 6:
            continue
        out.append(text[start:end])
    return out


def measure_decoding(rng: random.Random, per_length: int) -> dict:
    texts = [(f"seed {n}", t) for n, t in seeds()] + [(f"heldout {n}", t) for n, t in heldout_chinese()]
    table: dict[str, dict[int, list[int]]] = {e: {n: [0, 0] for n in LENGTHS} for e in ENCODINGS}
    by_text: dict[str, dict[str, list[int]]] = {}
    failures: dict[str, Counter] = {e: Counter() for e in ENCODINGS}
    examples: list[dict] = []
    for label, text in texts:
        for encoding in ENCODINGS:
            cell = by_text.setdefault(label, {}).setdefault(encoding, [0, 0])
            for length in LENGTHS:
                for piece in _slices(text, encoding, length, per_length, rng):
                    data = piece.encode(encoding)
                    try:
                        result = decode_stage.decode(data, CONFIG)
                        got, name = result.text, result.data.get("encoding")
                    except Exception as error:  # DecodeError / BinaryInputError
                        got, name = None, type(error).__name__
                    ok = got == piece
                    table[encoding][length][0] += ok
                    table[encoding][length][1] += 1
                    cell[0] += ok
                    cell[1] += 1
                    if not ok:
                        failures[encoding][f"{length}B→{name}"] += 1
                        if len(examples) < 400:
                            examples.append({"text": label, "encoding": encoding, "length": length,
                                             "bytes": data.hex(), "expected": piece, "decoded_as": name,
                                             "got": got})
    return {"table": table, "by_text": by_text,
            "failures": {e: dict(c.most_common()) for e, c in failures.items() if c},
            "examples": examples}


def _sentences(text: str) -> list[str]:
    out = []
    for line in text.split("\n"):
        for piece in line.replace("。", "。\n").replace("！", "！\n").replace("？", "？\n").split("\n"):
            piece = piece.strip()
            if len(piece) >= 4 and any("\u4e00" <= c <= "\u9fff" for c in piece):
                out.append(piece)
    return out


def _clauses(text: str) -> list[str]:
    """Sentences cut further at ，、；：, for UTF-8-read-as-GBK: a whole sentence's UTF-8
    bytes almost never decode strictly as GBK, so short pieces are the ones met in practice."""
    out = []
    for sentence in _sentences(text):
        for mark in "，、；：“”（）":
            sentence = sentence.replace(mark, "\n")
        out.extend(p.strip() for p in sentence.split("\n") if len(p.strip()) >= 2)
    return out


def measure_mojibake(rng: random.Random, limit: int) -> dict:
    groups = {"heldout": [s for _, t in heldout_chinese() for s in _sentences(t)],
              "seeds": [s for _, t in seeds() for s in _sentences(t)],
              "heldout clauses": [s for _, t in heldout_chinese() for s in _clauses(t)],
              "seed clauses": [s for _, t in seeds() for s in _clauses(t)]}
    kinds = {
        "utf-8 read as gb18030": lambda s: s.encode("utf-8").decode("gb18030"),
        "utf-8 read as gbk": lambda s: s.encode("utf-8").decode("gbk"),
        "gbk read as latin-1": lambda s: s.encode("gbk").decode("latin-1"),
        "gbk read as cp1252": lambda s: s.encode("gbk").decode("cp1252"),
    }
    rows, examples = {}, []
    for group, sentences in groups.items():
        sample = sentences if len(sentences) <= limit else rng.sample(sentences, limit)
        for kind, make in kinds.items():
            repaired = tried = skipped = 0
            for sentence in sample:
                try:
                    broken = make(sentence)
                except (UnicodeDecodeError, UnicodeEncodeError):
                    skipped += 1
                    continue
                tried += 1
                got = mojibake.run(broken, CONFIG, {}).text
                if got == sentence:
                    repaired += 1
                elif len(examples) < 200:
                    examples.append({"group": group, "kind": kind, "expected": sentence, "input": broken, "got": got})
            rows[f"{kind} ({group})"] = {"repaired": repaired, "tried": tried, "skipped": skipped}
    # false positives: clean lines (and whole clean documents) must come out unchanged
    clean_sets = {
        "heldout Chinese": [t for _, t in heldout_chinese()],
        "heldout English with accents": [read(HELD / "english_accents.txt")],
        "heldout mixed Chinese/English": [read(HELD / "mixed.txt")],
        "policy paragraphs": [read(HELD / "policy_paragraphs.txt")],
    }
    fp = {}
    for name, docs in clean_sets.items():
        lines = [l for d in docs for l in d.split("\n") if l.strip()]
        changed_lines = [l for l in lines if mojibake.run(l, CONFIG, {}).text != l]
        changed_docs = sum(mojibake.run(d, CONFIG, {}).text != d for d in docs)
        fp[name] = {"lines": len(lines), "lines_changed": len(changed_lines), "docs": len(docs),
                    "docs_changed": changed_docs, "changed": changed_lines[:10]}
    return {"repair": rows, "false_positives": fp, "examples": examples}


# ---------------------------------------------------------------- 2. t2s

def _traditionalise(text: str, converter) -> str:
    """What a naive reposting site does: every character converted on its own, so a
    one-to-many character gets OpenCC's default pick (the commonest Traditional form)."""
    cache: dict[str, str] = {}
    return "".join(cache.setdefault(c, converter.convert(c)) for c in text)


def _wrong_pick_table(converter) -> dict[int, str]:
    """A worst-case naive converter: every Simplified character that has more than one
    Traditional form gets a form that is NOT OpenCC's default (系→係, 面→麪, 制→製,
    复→複, 发→髮 …), the kind of pick seeds 002/004 show (體係, 製度, 全麵, 修複).
    The candidates are read from corrections/script_chars.tsv (generated from OpenCC's
    own dictionaries: a Traditional character belongs to the Simplified form OpenCC
    converts it to, and a Simplified row lists OpenCC's Traditional forms). Of several
    non-default forms the lowest code point is taken, so the table is deterministic."""
    forms: dict[str, set[str]] = {}
    for line in read(ROOT / "corrections" / "script_chars.tsv").split("\n"):
        cells = line.split("\t")
        if len(cells) >= 3 and cells[2] and not line.startswith("#"):
            if cells[1] == "traditional":
                forms.setdefault(cells[2].split()[0], set()).add(cells[0])
            elif cells[1] == "simplified":
                forms.setdefault(cells[0], set()).update(cells[2].split())
    table = {}
    for simple, traditional in forms.items():
        default = converter.convert(simple)
        others = sorted(traditional - {default, simple})
        if others:
            table[ord(simple)] = others[0]
    return table


def _hard_pick_table(converter) -> dict[int, str]:
    """The wrong-pick converter plus bench/heldout/naive_picks.tsv: picks that bare OpenCC
    t2s does not turn back (干→乾, 借→藉, 了→瞭, 着→著, 复→覆)."""
    table = _wrong_pick_table(converter)
    for line in read(HELD / "naive_picks.tsv").split("\n"):
        cells = line.split("\t")
        if len(cells) >= 2 and not line.startswith("#") and cells[0] != "simplified" and cells[0]:
            table[ord(cells[0])] = cells[1]
    return table


def _normalised(text: str) -> str:
    return normalise.run(text, CONFIG, {}).text


def _t2s_stage(text: str) -> str:
    norm = _normalised(text)
    return script.run(norm, CONFIG, {}).text


def measure_t2s() -> dict:
    s2t, t2s = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
    sources = [(f"expected {n}.document", read(ROOT / "tests" / "expected" / f"{n}.document.txt")) for n in ("000", "001", "003")]
    sources += [(f"heldout {n}", t) for n, t in heldout_chinese()]
    sources.append(("heldout policy_paragraphs", read(HELD / "policy_paragraphs.txt")))
    wrong, hard = _wrong_pick_table(s2t), _hard_pick_table(s2t)
    variants = {
        "opencc-per-char": lambda text: _traditionalise(text, s2t),
        # per character: the non-default form where there is one, else OpenCC's pick
        "wrong-pick": lambda text: "".join(wrong.get(ord(c)) or s2t.convert(c) for c in text),
        "hard-pick": lambda text: "".join(hard.get(ord(c)) or s2t.convert(c) for c in text),
    }
    opts = dict(punct="keep", boilerplate=False, keep="article")
    out: dict = {"wrong_pick_examples": {c: wrong.get(ord(c)) or s2t.convert(c) for c in "系面制复发后干里台范采只松表准才余征谷历钟冲并当斗于为"}}
    for variant, make in variants.items():
        rows, errors, totals, samples = {}, Counter(), Counter(), []
        for label, original in sources:
            reference = _normalised(original)
            trad = make(original)
            altered = edits(reference, _normalised(trad))[0]
            stage_n, stage_pairs, stage_lines = edits(reference, _t2s_stage(trad))
            bare_n = edits(reference, _normalised(t2s.convert(trad)))[0]
            pipe_out = policyclean.clean(trad, **opts).text
            pipe_base = policyclean.clean(original, **opts).text
            pipe_n = edits(pipe_base, pipe_out)[0]
            pipe_vs_original = edits(reference, pipe_out)[0]
            rows[label] = {"chars": len(reference), "made_traditional": altered, "stage_edits": stage_n,
                           "bare_opencc_edits": bare_n, "pipeline_edits": pipe_n,
                           "pipeline_vs_original_edits": pipe_vs_original}
            for key, value in rows[label].items():
                totals[key] += value
            for expected, got in stage_pairs:
                errors[f"{expected}→{got}"] += 1
            samples.extend({"text": label, "expected": a, "got": b} for a, b in stage_lines[:3])
        out[variant] = {"rows": rows, "totals": dict(totals), "top_errors": errors.most_common(25), "samples": samples[:20]}
    # do no harm: the clean Simplified text through the whole pipeline (punct kept)
    harm = {}
    for label, original in sources:
        reference = _normalised(original)
        whole = policyclean.clean(original, punct="keep")
        n, pairs, lines = edits(reference, whole.text)
        harm[label] = {"changed_chars": n, "lines_in": reference.count("\n"), "lines_out": whole.text.count("\n"),
                       "diffs": [{"expected": a, "got": b} for a, b in lines[:8]],
                       "removed": [r.get("text") for r in whole.removed][:8]}
    out["harm"] = harm
    return out


# ---------------------------------------------------------------- 3. boilerplate

CHROME_SETS = {  # name -> file; each was written before it was first measured (bench/heldout/README.md)
    "set 1 (2026-11-21)": "chrome.txt",
    "set 2 (2026-11-22)": "chrome_2.txt",
    "set 3 (2026-11-22, after the rules from set 2)": "chrome_3.txt",
    "set 4 (2026-11-22, after the rules from set 3)": "chrome_4.txt",
    "set 5 (2026-11-22, after the rules from set 4)": "chrome_5.txt",
    "set 6 (2026-11-22, after the rules from set 5)": "chrome_6.txt",
    "set 7 (2026-11-22, after the rules from set 6 and the tail-list zone)": "chrome_7.txt",
    "set 8 (2026-11-22, after the rules from sets 6, 7 and held-out pages 1)": "chrome_8.txt",
}


def _chrome(name: str) -> list[tuple[str, str]]:
    rows = []
    for line in read(HELD / name).split("\n"):
        if not line.strip() or line.startswith("#") or line.startswith("kind\t"):
            continue
        kind, text = line.split("\t", 1)
        rows.append((kind, text))
    return rows


def _squash(line: str) -> str:
    return "".join(line.split())


def measure_boilerplate(rng: random.Random, trials: int, chrome_file: str) -> dict:
    chrome = _chrome(chrome_file)
    bodies = [(p.name, read(p)) for p in sorted((ROOT / "tests" / "expected").glob("*.document.txt"))]
    inserted = Counter()
    survived = Counter()
    survived_by_kind = Counter()
    survived_edge = Counter()
    inserted_edge = Counter()
    inserted_by_kind = Counter()
    by_place = {"edge": [0, 0], "inner": [0, 0]}  # [removed, inserted]
    body_total = body_kept = 0
    lost_body: Counter = Counter()
    lost_examples: list[dict] = []
    for name, body in bodies:
        lines = body.rstrip("\n").split("\n")
        baseline = policyclean.clean(body, punct="keep").text.rstrip("\n").split("\n")
        for _ in range(trials):
            head = rng.sample(chrome, rng.randint(1, 4))
            tail = rng.sample(chrome, rng.randint(1, 4))
            head_at = rng.choice((0, 0, 1, 2))  # mostly the very top; sometimes below the title
            tail_at = len(lines) - rng.choice((0, 0, 1, 2))  # mostly the very end; sometimes above signature/date
            doc = lines[:head_at] + [t for _, t in head] + lines[head_at:tail_at] + [t for _, t in tail] + lines[tail_at:]
            out = policyclean.clean("\n".join(doc) + "\n", punct="keep").text.rstrip("\n").split("\n")
            # body precision: every line the clean body gives alone is still there, in order
            matcher = difflib.SequenceMatcher(None, baseline, out, autojunk=False)
            kept = sum(block.size for block in matcher.get_matching_blocks())
            body_total += len(baseline)
            body_kept += kept
            if kept < len(baseline):
                out_set = set(out)
                for line in baseline:
                    if line not in out_set:
                        lost_body[(name, line)] += 1
                        if len(lost_examples) < 10:
                            lost_examples.append({"file": name, "line": line, "input": doc})
            extra = Counter(_squash(l) for l in out) - Counter(_squash(l) for l in baseline)
            for place, group in (("edge" if head_at == 0 else "inner", head), ("edge" if tail_at == len(lines) else "inner", tail)):
                for kind, text in group:
                    inserted[text] += 1
                    inserted_by_kind[kind] += 1
                    if place == "edge":
                        inserted_edge[text] += 1
                    by_place[place][1] += 1
                    key = _squash(text)
                    # a chrome line survives when it (or a form of it with other punctuation) is still there
                    alive = extra[key] > 0 or any(key in e or e in key for e in extra if len(e) > 3 and _close(e, key))
                    if alive:
                        survived[text] += 1
                        survived_by_kind[kind] += 1
                        if place == "edge":
                            survived_edge[text] += 1
                    else:
                        by_place[place][0] += 1
    total = sum(inserted.values())
    return {"chrome_inserted": total, "chrome_removed": total - sum(survived.values()),
            "by_kind": {k: {"inserted": inserted_by_kind[k], "survived": survived_by_kind[k]} for k in inserted_by_kind},
            "by_place": {k: {"removed": v[0], "inserted": v[1]} for k, v in by_place.items()},
            "body_lines": body_total, "body_kept": body_kept,
            "survivors": [{"line": t, "survived": n, "inserted": inserted[t]} for t, n in survived.most_common()],
            "edge_survivors": [{"line": t, "survived": n, "inserted": inserted_edge[t]} for t, n in survived_edge.most_common()],
            "never_removed_at_edge": sorted(t for t in inserted_edge if survived_edge[t] == inserted_edge[t]),
            "lost_body_lines": [{"file": f, "line": l, "times": n} for (f, l), n in lost_body.most_common(20)],
            "lost_examples": lost_examples}


def _close(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() > 0.8


# ---------------------------------------------------------------- 4. despin

def measure_despin(run_selfcheck: bool) -> dict:
    out: dict = {}
    if run_selfcheck:
        import despin_selfcheck
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            chars, spun, left = despin_selfcheck.selfcheck(CONFIG, "thesaurus")
        out["selfcheck"] = {"chars": chars, "spun_edits": spun, "restored_edits": left, "log": buffer.getvalue()}
    profile = load_profiles(CONFIG, ["thesaurus"])[0]
    spinner = Spinner(profile.entries)
    clean = read(HELD / "policy_paragraphs.txt")
    spun = spinner.spin(clean)
    result = despin.run(spun, CONFIG, {})
    before = edits(clean, spun)[0]
    after, pairs, lines = edits(clean, result.text)
    data = result.data.get("despin", {})
    piped = policyclean.clean(spun, punct="keep", boilerplate=False).text
    piped_base = policyclean.clean(clean, punct="keep", boilerplate=False).text
    out["heldout"] = {"chars": len(clean), "spun_edits": before, "restored_edits": after,
                      "pipeline_edits": edits(piped_base, piped)[0],
                      "score": data.get("score"), "spun": data.get("spun"),
                      "unresolved": len(data.get("unresolved", [])), "substitutions": len(result.changes),
                      "remaining": [f"{a}→{b}" for a, b in pairs][:40]}
    # false positives: the clean paragraphs, as one document and one by one
    whole = despin.run(clean, CONFIG, {})
    single = [p for p in clean.rstrip("\n").split("\n") if despin.run(p + "\n", CONFIG, {}).text != p + "\n"]
    out["false_positives"] = {"doc_changes": len(whole.changes), "paragraphs": clean.count("\n"),
                              "paragraphs_changed_alone": len(single), "changed": single}
    return out


# ---------------------------------------------------------------- 5. placeholders / metadata

PAGE_SETS = {  # name -> folder; each was written before it was first measured (bench/heldout/README.md)
    "pages 1 (2026-11-22)": "pages",
    "pages 2 (2026-11-22, after the rules from pages 1 and chrome sets 7-8)": "pages_2",
    "pages 3 (2026-11-22, after the rules from pages 1-2 and chrome sets 7-8)": "pages_3",
    "pages 4 (2026-11-22, after the rules from pages 1-3 and chrome sets 7-8)": "pages_4",
    "pages 5 (2026-11-22, after the rules from pages 1-4 and chrome sets 7-8)": "pages_5",
    "pages 6 (2026-11-22, the same rules as pages 5)": "pages_6",
    "pages 7 (2026-11-22, after the rules from pages 1-6 and chrome sets 7-8: the rules as shipped)": "pages_7",
}


_ASCII_PUNCT = str.maketrans("，：；？！（）", ",:;?!()")


def _damaged(page: str) -> bytes:
    """The page as a careless reposting site serves it: converted to Traditional by OpenCC s2t,
    Chinese punctuation made ASCII, encoded in GB18030."""
    return opencc.OpenCC("s2t").convert(page).translate(_ASCII_PUNCT).encode("gb18030")


def measure_pages(folder: str, keep: str, damage: bool = False) -> dict:
    """Each held-out page (``damage``: made Traditional, with ASCII punctuation, in GB18030) through
    ``clean(page, keep=keep)`` against its official text, and each official text alone through
    ``clean`` (it must come out unchanged)."""
    rows = []
    pages = HELD / folder
    for case in sorted(p for p in pages.iterdir() if (p / "page.txt").is_file()) if pages.is_dir() else []:
        official = read(case / "official.txt").rstrip("\n")
        page = (case / "page.txt").read_bytes()
        got = policyclean.clean(_damaged(page.decode("utf-8")) if damage else page, keep=keep).text.rstrip("\n")
        ref_lines, got_lines = official.split("\n"), got.split("\n")
        lost, extra = [], []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ref_lines, got_lines, autojunk=False).get_opcodes():
            if tag != "equal":
                lost += ref_lines[i1:i2]
                extra += got_lines[j1:j2]
        alone = policyclean.clean(official + "\n").text.rstrip("\n")
        alone_kept = policyclean.clean(official + "\n", spaces="keep").text.rstrip("\n")
        page_lines = [line for line in page.decode("utf-8").split("\n") if line.strip()]
        rows.append({"case": case.name, "lines": len(ref_lines), "chars": len(official),
                     "non_document": len(page_lines) - len(ref_lines),
                     "edits": edits(official, got)[0], "lost": lost, "extra": extra, "exact": got == official,
                     "alone_edits": edits(official, alone)[0], "alone_diffs": edits(official, alone)[2][:5],
                     "alone_kept_edits": edits(official, alone_kept)[0]})
    total = {k: sum(r[k] for r in rows) for k in ("lines", "chars", "edits", "alone_edits", "alone_kept_edits", "non_document")}
    total.update(lost=sum(len(r["lost"]) for r in rows), extra=sum(len(r["extra"]) for r in rows),
                 exact=sum(r["exact"] for r in rows), cases=len(rows))
    return {"folder": folder, "keep": keep, "damage": damage, "rows": rows, "total": total}


def measure_placeholders() -> dict:
    folder = HELD / "placeholders"
    cases = []
    for line in read(folder / "cases.tsv").split("\n"):
        if not line.strip() or line.startswith("#") or line.startswith("file\t"):
            continue
        file, token, expected, number, why = line.split("\t")
        cases.append((file, token, expected, number, why))
    tp = fp = fn = tn = 0
    number_ok = 0
    rows = []
    t2s = opencc.OpenCC("t2s")
    for file, token, expected, number, why in cases:
        text = read(folder / file)
        result = policyclean.clean(text, punct="keep", keep="document")
        report = result.facts.get("placeholders", ())
        replaced = {r["placeholder"]: r["replacement"] for r in report if r.get("replacement")}
        token_s = t2s.convert(token) if token != "-" else "-"
        got = replaced.get(token_s) or replaced.get(token)
        others = {k: v for k, v in replaced.items() if k not in (token, token_s)}
        left_in_text = token_s != "-" and token_s in result.text
        if expected != "-":
            if got == expected and not left_in_text:
                tp += 1
                verdict = "resolved correctly"
            elif got:
                fp += 1
                fn += 1
                verdict = f"WRONG: {got}"
            else:
                fn += 1
                verdict = "not resolved"
        else:
            if got:
                fp += 1
                verdict = f"FALSE: resolved to {got}"
            else:
                tn += 1
                verdict = "left (correct)"
        if others:
            fp += len(others)
            verdict += f"; also replaced {others}"
        doc_number = result.metadata.get("doc_number")
        number_ok += (doc_number or "-") == number
        rows.append({"file": file, "token": token, "expected": expected, "got": got, "verdict": verdict,
                     "doc_number": doc_number, "doc_number_expected": number,
                     "doc_number_ok": (doc_number or "-") == number})
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "cases": len(cases), "doc_number_ok": number_ok, "rows": rows}


# ---------------------------------------------------------------- report

def render(figures: dict) -> str:
    out = []
    w = out.append
    dec = figures["decoding"]
    w("1. DECODING — exact text out of decode(), share of random slices (n per cell)")
    w("   encoding    " + "".join(f"{n:>14}" for n in LENGTHS) + "         all")
    for enc in ENCODINGS:
        cells = dec["table"][enc]
        ok = sum(c[0] for c in cells.values())
        n = sum(c[1] for c in cells.values())
        w(f"   {enc:<12}" + "".join(f"{pct(*cells[l]) + f' ({cells[l][1]})':>14}" for l in LENGTHS) + f"{pct(ok, n):>12}")
    if dec["failures"]:
        w("   failures (length→what it came out as): " + "; ".join(
            f"{e}: " + ", ".join(f"{k} ×{v}" for k, v in list(c.items())[:6]) for e, c in dec["failures"].items()))
    w("   per text (all lengths): " + "; ".join(
        f"{label} " + " ".join(f"{e}={pct(*c)}" for e, c in cells.items() if c[1] and c[0] < c[1])
        for label, cells in dec["by_text"].items() if any(c[1] and c[0] < c[1] for c in cells.values())) or "   per text: every text 100% in every encoding it encodes in")
    w("")
    moj = figures["mojibake"]
    w("   MOJIBAKE — exact repair by mojibake.run (sentences; undecodable ones skipped)")
    for kind, r in moj["repair"].items():
        w(f"   {kind:<40} {pct(r['repaired'], r['tried']):>7}  ({r['repaired']}/{r['tried']}, {r['skipped']} skipped)")
    w("   false positives on clean text (lines changed / lines; whole documents changed):")
    for name, r in moj["false_positives"].items():
        w(f"   {name:<40} {r['lines_changed']}/{r['lines']} lines, {r['docs_changed']}/{r['docs']} docs")
    w("")
    t = figures["t2s"]
    w("2. TRADITIONAL → SIMPLIFIED — clean Simplified made Traditional character by character, then")
    w("   normalise + the t2s stage, bare OpenCC t2s for comparison, and clean(punct='keep', boilerplate=False)")
    w("   (pipeline column: against the pipeline's output on the clean text). CER per column.")
    w("   variants: opencc-per-char = each character alone through OpenCC s2t (OpenCC's default pick);")
    w("   wrong-pick = a non-default Traditional form wherever there is one: "
      + " ".join(f"{k}→{v}" for k, v in t["wrong_pick_examples"].items()))
    w("   hard-pick = wrong-pick plus bench/heldout/naive_picks.tsv (干→乾 借→藉 了→瞭 着→著 复→覆), which bare OpenCC does not undo")
    for variant in ("opencc-per-char", "wrong-pick", "hard-pick"):
        v = t[variant]
        w(f"   [{variant}]")
        w(f"   {'text':<30}{'chars':>7}{'made Trad':>11}{'t2s stage':>11}{'bare OpenCC':>13}{'pipeline':>10}")
        for label, r in list(v["rows"].items()) + [("ALL", v["totals"])]:
            w(f"   {label:<30}{r['chars']:>7}{pct(r['made_traditional'], r['chars']):>11}{pct(r['stage_edits'], r['chars']):>11}"
              f"{pct(r['bare_opencc_edits'], r['chars']):>13}{pct(r['pipeline_edits'], r['chars']):>10}")
        tot = v["totals"]
        w(f"   CER of the t2s stage: {tot['stage_edits']} edits in {tot['chars']} chars = {100 * tot['stage_edits'] / tot['chars']:.3f}%"
          f" (bare OpenCC: {tot['bare_opencc_edits']}; pipeline vs its output on the clean text: {tot['pipeline_edits']};"
          f" vs the original: {tot['pipeline_vs_original_edits']})")
        w("   most frequent remaining errors of the stage (expected→got ×n): "
          + (", ".join(f"{k} ×{n}" for k, n in v["top_errors"]) or "none"))
    w("   do no harm (clean Simplified through clean(punct='keep'), default boilerplate/article):")
    for label, r in t["harm"].items():
        extra = f"; e.g. {r['diffs'][0]['expected'][:40]!r} → {r['diffs'][0]['got'][:40]!r}" if r["diffs"] else ""
        w(f"   {label:<30} {r['changed_chars']} changed chars, lines {r['lines_in']}→{r['lines_out']}{extra}")
    w("")
    for set_name, b in figures["boilerplate"].items():
        w(f"3. BOILERPLATE — held-out chrome lines, {set_name}, around clean document bodies (tests/expected/*.document.txt)")
        e, i = b["by_place"]["edge"], b["by_place"]["inner"]
        w(f"   chrome recall at the very top/bottom of the text: {pct(e['removed'], e['inserted'])} ({e['removed']}/{e['inserted']} inserted lines removed)")
        w("   chrome recall inside the body (below the first or above the last 1-2 body lines; by design only")
        w(f"   'anywhere' rules act there): {pct(i['removed'], i['inserted'])} ({i['removed']}/{i['inserted']}); all placements: "
          f"{pct(b['chrome_removed'], b['chrome_inserted'])} ({b['chrome_removed']}/{b['chrome_inserted']})")
        w(f"   body precision: {pct(b['body_kept'], b['body_lines'])} ({b['body_kept']}/{b['body_lines']} body lines kept)")
        w("   by kind, all placements (removed/inserted): " + ", ".join(f"{k} {v['inserted'] - v['survived']}/{v['inserted']}" for k, v in sorted(b["by_kind"].items())))
        w(f"   chrome lines that survived at the very top/bottom ({len(b['edge_survivors'])} distinct; survived/inserted there): " + " | ".join(
            f"{s['line']} ({s['survived']}/{s['inserted']})" for s in b["edge_survivors"]))
        w(f"   never removed even at the very top/bottom ({len(b['never_removed_at_edge'])}): " + " | ".join(b["never_removed_at_edge"]))
        w(f"   chrome lines that survived anywhere ({len(b['survivors'])} distinct): " + " | ".join(
            f"{s['line']} ({s['survived']}/{s['inserted']})" for s in b["survivors"]))
        if b["lost_body_lines"]:
            w("   BODY LINES LOST: " + " | ".join(f"{x['file']}: {x['line'][:40]} ×{x['times']}" for x in b["lost_body_lines"]))
        w("")
    d = figures["despin"]
    w("4. DE-SPINNING")
    if "selfcheck" in d:
        s = d["selfcheck"]
        w(f"   engine self-check (bench/despin_selfcheck.py, seeds 000/001/002/004 spun with the table, leave-one-out scorer):"
          f" spun CER {pct(s['spun_edits'], s['chars'])} → restored CER {100 * s['restored_edits'] / s['chars']:.3f}% ({s['restored_edits']} edits in {s['chars']} chars)")
    h = d["heldout"]
    w(f"   held-out policy paragraphs spun with the table's forward pairs: spun CER {pct(h['spun_edits'], h['chars'])}"
      f" → restored CER {100 * h['restored_edits'] / h['chars']:.3f}% ({h['restored_edits']} edits in {h['chars']} chars;"
      f" gate score {h['score']}, spun={h['spun']}, {h['substitutions']} substitutions, {h['unresolved']} unresolved;"
      f" whole pipeline {h['pipeline_edits']} edits)")
    if h["remaining"]:
        w("   remaining (expected→got): " + ", ".join(h["remaining"]))
    f = d["false_positives"]
    w(f"   false positives: clean paragraphs as one document → {f['doc_changes']} changes;"
      f" one by one → {f['paragraphs_changed_alone']}/{f['paragraphs']} paragraphs changed")
    w("")
    p = figures["placeholders"]
    w("5. PLACEHOLDERS / METADATA — held-out notice heads (bench/heldout/placeholders/)")
    w(f"   resolution precision {pct(p['tp'], p['tp'] + p['fp'])} ({p['tp']}/{p['tp'] + p['fp']}), recall {pct(p['tp'], p['tp'] + p['fn'])} ({p['tp']}/{p['tp'] + p['fn']});"
      f" correctly left alone {p['tn']}; document number right in {p['doc_number_ok']}/{p['cases']}")
    for r in p["rows"]:
        w(f"   {r['file']:<28} {r['token']:>8} → expected {r['expected']}: {r['verdict']}; doc number {r['doc_number']}"
          + ("" if r["doc_number_ok"] else f" (expected {r['doc_number_expected']})"))
    w("")
    for set_name, pages in figures["pages"]:
        t = pages["total"]
        if not t["cases"]:
            continue
        damage = " made Traditional (OpenCC s2t), with ASCII punctuation, in GB18030," if pages["damage"] else ""
        w(f"6. WHOLE PIPELINE — held-out web pages, {set_name} (bench/heldout/{pages['folder']}/),{damage} clean(page, keep={pages['keep']!r}) against the official text")
        w(f"   {t['cases']} pages, {t['lines']} document lines: exactly right {t['exact']}/{t['cases']};"
          f" document lines lost or changed {t['lost']} ({pct(t['lost'], t['lines'])}); lines left that are not the document's {t['extra']}"
          f" of {t['non_document']} (chrome and lead removed: {pct(t['non_document'] - t['extra'], t['non_document'])});"
          f" CER {100 * t['edits'] / max(t['chars'], 1):.2f}% ({t['edits']} edits in {t['chars']} chars)")
        w(f"   each official text alone through clean(): {t['alone_edits']} characters changed"
          f" ({t['alone_kept_edits']} with spaces='keep')")
        for r in pages["rows"]:
            if r["lost"] or r["extra"] or r["alone_edits"]:
                w(f"   {r['case']}: lost/changed {' | '.join(x[:50] for x in r['lost']) or '-'}; left {' | '.join(x[:50] for x in r['extra']) or '-'}"
                  + (f"; alone {r['alone_diffs']}" if r["alone_edits"] else ""))
        w("")
    w(f"   ({figures['seconds']:.1f} s)")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("-v", action="store_true", help="also print the failing inputs")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--per-length", type=int, default=50, help="decoding slices per text, encoding and length")
    parser.add_argument("--trials", type=int, default=40, help="boilerplate insertions per body")
    parser.add_argument("--no-selfcheck", action="store_true", help="skip despin_selfcheck (its own leave-one-out copies)")
    args = parser.parse_args()
    start = time.perf_counter()
    # one generator per measurement, so a change in one does not move the samples of another
    figures = {
        "decoding": measure_decoding(random.Random(args.seed), args.per_length),
        "mojibake": measure_mojibake(random.Random(args.seed + 1), 300),
        "t2s": measure_t2s(),
        "boilerplate": {name: measure_boilerplate(random.Random(args.seed + 3), args.trials, chrome_file)
                        for name, chrome_file in CHROME_SETS.items() if (HELD / chrome_file).is_file()},
        "despin": measure_despin(not args.no_selfcheck),
        "placeholders": measure_placeholders(),
        "pages": [(name, measure_pages(folder, keep, damage)) for name, folder in PAGE_SETS.items()
                  for keep, damage in (("document", False), ("article", False), ("document", True))],
    }
    figures["seconds"] = time.perf_counter() - start
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=1, default=str))
        return 0
    print(render(figures))
    if args.v:
        print("\nFAILURES")
        for e in figures["decoding"]["examples"][:40]:
            print(f"  decode {e['encoding']} {e['length']}B ({e['text']}) → {e['decoded_as']}: {e['expected'][:30]!r} got {str(e['got'])[:30]!r}")
        for e in figures["mojibake"]["examples"][:40]:
            print(f"  mojibake {e['kind']}: {e['input'][:40]!r} → {e['got'][:40]!r} (expected {e['expected'][:40]!r})")
        for name, r in figures["mojibake"]["false_positives"].items():
            for line in r["changed"]:
                print(f"  mojibake false positive ({name}): {line!r}")
        for variant in ("wrong-pick", "hard-pick"):
            for e in figures["t2s"][variant]["samples"]:
                print(f"  t2s {variant} ({e['text']}): {e['expected']!r} → {e['got']!r}")
        for label, r in figures["t2s"]["harm"].items():
            for diff in r["diffs"]:
                print(f"  harm {label}: {diff['expected']!r} → {diff['got']!r}")
            for line in r["removed"]:
                print(f"  harm {label}: removed {line!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
