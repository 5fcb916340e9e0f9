"""Stage 't2s': detect the script of every paragraph; convert the Traditional ones to Simplified.

Simplified text is never run through OpenCC's t2s: t2s damages Simplified text
(吉林省乾安县 → 干安县) and is not idempotent for some characters. So each line is
classified first by counting, at C level, characters that only occur in Traditional
text and characters that only occur in Simplified text. Both sets are
``corrections/script_chars.tsv``, generated from OpenCC's own character
dictionaries (``python -m policyclean.script --write-chars corrections/script_chars.tsv``):
a character is Traditional-only when OpenCC's TSCharacters maps it and does not list
it among its own Simplified forms (so 乾 於 瞭 藉 祕 夥, which OpenCC lists as their own
Simplified forms, are no evidence), Simplified-only likewise from STCharacters (so
系 制 台 于 范 采 里, which naive converters leave in Traditional output, are no
evidence). A shipped, generated table rather than one built at start-up, because
those "lists itself" facts are in OpenCC's dictionaries but not reachable through
its Python API, and because a table can be reviewed and diffed when OpenCC changes.
``corrections/script_evidence.tsv`` (reviewed) removes more characters from the
evidence and names words that are never evidence (the Simplified placeholder 关键词
inside Traditional text).

Converted paragraphs then get the phrase fixes of ``corrections/t2s_fixes.tsv``
(OpenCC's t2s keeps 著 where mainland text writes 着: 随着, 意味着, 着力 …).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from .data import read_tsv, tables_dir
from .errors import TableError
from .model import Change, Config, StageResult

CHARS_TABLE = "script_chars.tsv"
EVIDENCE_TABLE = "script_evidence.tsv"
FIXES_TABLE = "t2s_fixes.tsv"
OPENCC_CONFIG = {"none": "t2s", "tw": "tw2sp", "hk": "hk2s"}

_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_ASTRAL_RE = re.compile(r"[\U00010000-\U0010ffff]")


@lru_cache(maxsize=4)
def _converter(name: str) -> Any:
    import opencc  # imported lazily: only documents with Traditional text need it

    return opencc.OpenCC(name)


@dataclass(frozen=True)
class _CharClass:
    """Counts the characters of one set in a string; BMP and astral parts apart, because
    a regex character class with astral members is scanned linearly and is 10x slower."""

    bmp: re.Pattern[str]
    astral: re.Pattern[str] | None

    def finditer(self, text: str) -> list[re.Match[str]]:
        found = list(self.bmp.finditer(text))
        if self.astral is not None and _ASTRAL_RE.search(text):
            found = sorted(found + list(self.astral.finditer(text)), key=lambda m: m.start())
        return found

    def search(self, text: str) -> bool:
        """Whether ``text`` holds a character of the set (stops at the first; builds no list)."""
        if self.bmp.search(text):
            return True
        # the astral class scans slowly: look for any astral character at all first
        return self.astral is not None and bool(_ASTRAL_RE.search(text)) and bool(self.astral.search(text))

    def count(self, text: str) -> int:
        n = len(self.bmp.findall(text))
        if self.astral is not None and _ASTRAL_RE.search(text):
            n += len(self.astral.findall(text))
        return n


def _char_class(chars: set[str]) -> _CharClass:
    bmp = "".join(sorted(c for c in chars if ord(c) < 0x10000)) or "\x00"
    astral = "".join(sorted(c for c in chars if ord(c) >= 0x10000))
    return _CharClass(re.compile(f"[{re.escape(bmp)}]"), re.compile(f"[{re.escape(astral)}]") if astral else None)


@dataclass(frozen=True)
class _Tables:
    traditional_chars: frozenset[str]
    traditional: _CharClass
    simplified: _CharClass
    ignore_re: re.Pattern[str] | None  # words that are never evidence
    fixes_re: re.Pattern[str] | None
    fixes: dict[str, tuple[str, str]]  # from -> (to, "t2s_fixes.tsv:LINE")


@lru_cache(maxsize=8)
def _load(directory: str) -> _Tables:
    base = Path(directory)
    traditional: set[str] = set()
    simplified: set[str] = set()
    for row in read_tsv(base / CHARS_TABLE, required=("char", "kind")):
        if len(row["char"]) != 1:
            raise TableError(f"{row.where}: column char must hold one character")
        if row["kind"] == "traditional":
            traditional.add(row["char"])
        elif row["kind"] == "simplified":
            simplified.add(row["char"])
        else:
            raise TableError(f"{row.where}: kind must be traditional or simplified")
    weak: set[str] = set()
    ignore: list[str] = []
    for row in read_tsv(base / EVIDENCE_TABLE, required=("text", "kind")):
        if row["kind"] == "weak":
            weak.update(row["text"])
        elif row["kind"] == "ignore":
            ignore.append(row["text"])
        else:
            raise TableError(f"{row.where}: kind must be weak (characters) or ignore (a word)")
    fixes: dict[str, tuple[str, str]] = {}
    for row in read_tsv(base / FIXES_TABLE, required=("from", "to")):
        if not row["from"] or not row["to"]:
            raise TableError(f"{row.where}: both from and to are needed")
        if row["from"] in fixes:
            raise TableError(f"{row.where}: {row['from']} is listed twice")
        fixes[row["from"]] = (row["to"], row.where)
    return _Tables(
        traditional_chars=frozenset(traditional - weak),
        traditional=_char_class(traditional - weak),
        simplified=_char_class(simplified - weak),
        ignore_re=re.compile("|".join(map(re.escape, sorted(ignore, key=len, reverse=True)))) if ignore else None,
        fixes_re=_fixes_pattern(fixes),
        fixes=fixes,
    )


def _fixes_pattern(fixes: Mapping[str, tuple[str, str]]) -> re.Pattern[str] | None:
    """Leftmost, longest first. Rows with to == from protect a word (显著, 著名) from a
    shorter fix that would start at the same place; a fix ending in 著 must not take
    the 著 of a protected word that follows (代表著名 is 代表 + 著名, not 代表着 + 名)."""
    if not fixes:
        return None
    protected_tails = sorted({f[1:] for f, (t, _) in fixes.items() if f == t and f.startswith("著") and len(f) > 1})
    guard = f"(?!{'|'.join(map(re.escape, protected_tails))})" if protected_tails else ""
    parts = []
    for word in sorted(fixes, key=len, reverse=True):
        tail_guard = guard if word.endswith("著") and fixes[word][0] != word else ""
        parts.append(re.escape(word) + tail_guard)
    return re.compile("|".join(parts))


@lru_cache(maxsize=8)
def _stray_map(directory: str, name: str) -> dict[int, str]:
    """Traditional-only character -> its OpenCC conversion on its own (no phrase context).
    Safe on any text: these characters are not Simplified, and nothing else is touched."""
    chars = sorted(_load(directory).traditional_chars)
    converter = _converter(name)
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # never expected; do not misalign
        converted = [converter.convert(c) for c in chars]
    return {ord(c): t for c, t in zip(chars, converted) if t != c}


def _evidence(line: str, tables: _Tables) -> tuple[int, int]:
    if tables.ignore_re is not None and tables.ignore_re.search(line):
        line = tables.ignore_re.sub("", line)
    return tables.traditional.count(line), tables.simplified.count(line)


def _is_traditional(trad: int, simp: int, prior_traditional: bool) -> bool:
    """Whether a paragraph with ``trad`` Traditional-only and ``simp`` Simplified-only
    characters is Traditional text. Little evidence follows the document's majority:
    one stray Traditional character in a Simplified document is not enough, a short
    heading 二、總體目標 is."""
    if trad == 0:
        return False
    if simp == 0:
        return trad >= 2 or prior_traditional
    if prior_traditional:
        return trad >= simp
    return trad >= 2 and trad >= 3 * simp


def run(text: str, config: Config, facts: Mapping[str, Any]) -> StageResult:
    if not _HAN_RE.search(text):
        return StageResult(text, data={"script": "none"})
    tables = _load(str(tables_dir(config.tables_dir)))
    if config.t2s != "always" and not tables.traditional.search(text):
        # no Traditional-only character anywhere: no paragraph can be Traditional
        return StageResult(text, data={"script": "simplified"})
    lines = text.split("\n")
    evidence = [_evidence(line, tables) if line else (0, 0) for line in lines]
    total_trad = sum(t for t, _ in evidence)
    total_simp = sum(s for _, s in evidence)
    prior = total_trad > total_simp
    labels = []
    for trad, simp in evidence:
        if _is_traditional(trad, simp, prior):
            labels.append("traditional")
        elif trad or simp:
            labels.append("simplified")
        else:
            labels.append("none")
    found = set(labels) - {"none"}
    script = "mixed" if len(found) == 2 else (found.pop() if found else "simplified")
    data = {"script": script}

    if config.t2s == "never":
        return StageResult(text, data=data, summary=f"document script: {script} (t2s=never: not converted)")
    if config.t2s == "always":
        chosen = [i for i, line in enumerate(lines) if _HAN_RE.search(line)]
    else:
        chosen = [i for i, label in enumerate(labels) if label == "traditional"]
    # Simplified paragraphs with stray Traditional-only characters: those characters alone are
    # converted, never the paragraph. So the output holds no Traditional-only character, and a
    # second pass (even after later stages removed lines and moved the document's majority)
    # has nothing to do.
    strays = [i for i, label in enumerate(labels) if label != "traditional" and evidence[i][0]
              and config.t2s == "auto"]
    if not chosen and not strays:
        return StageResult(text, data=data)

    name = OPENCC_CONFIG[config.region]
    rule = "t2s" if name == "t2s" else f"t2s:{name}"
    directory = str(tables_dir(config.tables_dir))
    # One OpenCC call for all chosen lines: no dictionary entry holds "\n", so lines stay apart.
    converted = _converter(name).convert("\n".join(lines[i] for i in chosen)).split("\n") if chosen else []
    if len(converted) != len(chosen):  # never expected; refuse to misalign lines
        converted = [_converter(name).convert(lines[i]) for i in chosen]

    offsets = [0]
    for line in lines[:-1]:
        offsets.append(offsets[-1] + len(line) + 1)
    changes: list[Change] = []
    out = list(lines)
    fixed_words = 0
    for index, new in zip(chosen, converted):
        old = lines[index]
        trad, simp = evidence[index]
        why = (f"paragraph is Traditional: {trad} Traditional-only vs {simp} Simplified-only characters"
               if config.t2s == "auto" else "t2s=always: every paragraph converted")
        if tables.traditional.count(new):  # OpenCC kept one in some phrase: convert it alone
            new = new.translate(_stray_map(directory, name))
        new, line_changes = _apply_fixes(old, new, offsets[index], tables, rule, why)
        fixed_words += sum(1 for c in line_changes if c.rule.startswith(FIXES_TABLE))
        if new != old:
            out[index] = new
            changes.extend(line_changes)
    converted_count = sum(1 for i in chosen if out[i] != lines[i])
    stray_count = 0
    if strays:
        mapping = _stray_map(directory, name)
        for index in strays:
            trad, simp = evidence[index]
            why = (f"Traditional-only character in a Simplified paragraph ({trad} Traditional-only vs "
                   f"{simp} Simplified-only characters): only the character is converted")
            pieces, last = [], 0
            for match in tables.traditional.finditer(lines[index]):
                after = match.group().translate(mapping)
                if after == match.group():
                    continue
                stray_count += 1
                changes.append(Change(offsets[index] + match.start(), offsets[index] + match.end(),
                                      match.group(), after, f"{rule}:stray", why))
                pieces += [lines[index][last:match.start()], after]
                last = match.end()
            out[index] = "".join(pieces) + lines[index][last:]
    if not changes:
        return StageResult(text, data=data)
    changes.sort(key=lambda c: c.start)
    parts = []
    if converted_count:
        parts.append(f"converted {converted_count} Traditional paragraph(s) to Simplified with OpenCC {name}")
    if fixed_words:
        parts.append(f"{fixed_words} phrase fix(es) from {FIXES_TABLE}")
    if stray_count:
        parts.append(f"converted {stray_count} stray Traditional character(s) in Simplified paragraphs")
    summary = ", ".join(parts) + f"; document script: {script}"
    return StageResult("\n".join(out), tuple(changes), data=data, summary=summary)


def _apply_fixes(old: str, new: str, offset: int, tables: _Tables, rule: str,
                 why: str) -> tuple[str, list[Change]]:
    """Apply the phrase fixes to one converted line; return it and its Changes.

    One Change for the paragraph; when a fix applies and OpenCC kept the line's length
    (character-for-character, the usual case), the paragraph is cut around each fixed
    word so the fix gets its own Change with its table line."""
    hits = []
    if tables.fixes_re is not None:
        for match in tables.fixes_re.finditer(new):
            to, where = tables.fixes[match.group()]
            if to != match.group():
                hits.append((match.start(), match.end(), to, where))
    if not hits:
        return new, ([Change(offset, offset + len(old), old, new, rule, why)] if new != old else [])
    pieces, last = [], 0
    for start, end, to, _ in hits:
        pieces += [new[last:start], to]
        last = end
    fixed = "".join(pieces) + new[last:]
    aligned = len(new) == len(old) and all(len(to) == end - start for start, end, to, _ in hits)
    if not aligned:
        wheres = ",".join(w for *_, w in hits)
        return fixed, [Change(offset, offset + len(old), old, fixed, f"{rule}+{wheres}", why)]
    changes, last = [], 0
    for start, end, to, where in hits:
        if old[last:start] != new[last:start]:
            changes.append(Change(offset + last, offset + start, old[last:start], new[last:start], rule, why))
        changes.append(Change(offset + start, offset + end, old[start:end], to, where,
                              f"mainland usage after t2s: {new[start:end]} → {to}"))
        last = end
    if old[last:] != new[last:]:
        changes.append(Change(offset + last, offset + len(old), old[last:], new[last:], rule, why))
    return fixed, changes


# --- generating corrections/script_chars.tsv from OpenCC's dictionaries -------------------

def write_char_table(path: Path) -> int:
    """Write the Traditional-only / Simplified-only character table from OpenCC's
    character dictionaries (read with the ``opencc_dict`` tool that ships in the
    OpenCC wheel). Returns the number of rows."""
    import subprocess
    import tempfile

    import opencc

    share = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
    tool = Path(opencc.__file__).parent / "clib" / "bin" / "opencc_dict"

    def read(name: str) -> dict[str, list[str]]:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "dict.txt"
            subprocess.run([str(tool), "-i", str(share / name), "-o", str(out), "-f", "ocd2", "-t", "text"],
                           check=True)
            return {k: v.split(" ") for k, v in (line.rstrip("\n").split("\t") for line in out.open(encoding="utf-8"))}

    t2s = {**read("TSCharactersExt.ocd2"), **read("TSCharacters.ocd2")}
    s2t = read("STCharacters.ocd2")
    traditional = {k: v for k, v in t2s.items() if len(k) == 1 and k not in v}
    simplified = {k: v for k, v in s2t.items() if len(k) == 1 and k not in v}
    both = set(traditional) & set(simplified)  # a few characters both dictionaries convert: no evidence
    rows = [(c, "traditional", " ".join(traditional[c])) for c in sorted(set(traditional) - both)]
    rows += [(c, "simplified", " ".join(simplified[c])) for c in sorted(set(simplified) - both)]
    with path.open("w", encoding="utf-8") as handle:
        handle.write(
            f"# Generated by `python -m policyclean.script --write-chars {path.name}` from OpenCC {opencc.__version__}'s\n"
            "# TSCharacters(+Ext) and STCharacters dictionaries; do not edit by hand (edit script_evidence.tsv).\n"
            "# traditional: OpenCC converts it to Simplified and does not list it as its own Simplified form.\n"
            "# simplified: OpenCC converts it to Traditional and does not list it as its own Traditional form.\n"
            "# Column opencc: the forms OpenCC gives, for review.\n"
            "char\tkind\topencc\n")
        for row in rows:
            handle.write("\t".join(row) + "\n")
    return len(rows)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--write-chars":
        print(f"wrote {write_char_table(Path(sys.argv[2]))} rows to {sys.argv[2]}")
    else:
        print("usage: python -m policyclean.script --write-chars corrections/script_chars.tsv", file=sys.stderr)
        sys.exit(2)
