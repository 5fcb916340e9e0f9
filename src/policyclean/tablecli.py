"""``policyclean table …``: tools for the editors of the de-spin correction tables.

    policyclean table lint [--profile P]            check the files; non-zero exit on errors (CI)
    policyclean table show [--profile P] [QUERY]    entries, how often they fire on the reference texts, in context
    policyclean table stats CORPUS...               per entry: how often it fires on files, with context lines
    policyclean table learn SPUN ORIGINAL [--write] align a spun text with its original, propose new pairs
    policyclean table why TEXT | --file F           what matched where, what won, why something did not change
    policyclean table review [--html F | --apply D] approve or reject proposed entries

The main CLI calls :func:`register`; ``python -m policyclean.tablecli …`` runs it alone.
"""

from __future__ import annotations

import argparse
import difflib
import html
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import regex

from . import despin
from .errors import PolicycleanError
from .model import Config
from .spintable import (TABLE_COLUMNS, Entry, Problem, Profile, Restorer, despin_dir, load_profiles,
                        reference_text, word_frequencies)

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
_HAN = regex.compile(r"\p{Han}+")
KWIC = 8  # characters of context on each side in keyword-in-context lines


# ----------------------------------------------------------------------------- helpers


def _config(args: argparse.Namespace) -> Config:
    return Config(tables_dir=getattr(args, "tables", None))


def _profiles(args: argparse.Namespace, strict: bool = False) -> list[Profile]:
    names = [args.profile] if getattr(args, "profile", None) else []
    return load_profiles(_config(args), names, strict=strict)


def _one_profile(args: argparse.Namespace) -> Profile:
    profiles = _profiles(args)
    if len(profiles) != 1:
        raise PolicycleanError(f"several profiles ({', '.join(p.name for p in profiles)}): choose one with --profile")
    return profiles[0]


def kwic(text: str, start: int, end: int, width: int = KWIC, replacement: str | None = None) -> str:
    """One line: the neighbours of ``text[start:end]`` (within its line), the spot in 【】."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    spot = text[start:end] + (f"→{replacement}" if replacement is not None and replacement != text[start:end] else "")
    return f"{text[max(line_start, start - width):start]}【{spot}】{text[end:min(line_end, end + width)]}"


def _read_inputs(paths: Sequence[str]) -> Iterable[tuple[str, str]]:
    for name in paths:
        path = Path(name)
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in (".txt", ".text", ".md")) if path.is_dir() else [path]
        for f in files:
            yield str(f), f.read_text(encoding="utf-8", errors="replace")


def _fires(profile: Profile, text: str) -> dict[Entry, list[tuple[int, int, str]]]:
    """Every place in ``text`` where an entry of ``profile`` wins (gate ignored), with what it would write."""
    fired: dict[Entry, list[tuple[int, int, str]]] = defaultdict(list)
    for m in profile.restorer.scan(text):
        for r in m.rows:
            fired[r].append((m.start, m.end, r.original))
    return fired


def _print_problems(problems: Sequence[Problem], out) -> tuple[int, int]:
    errors = sum(p.severity == "error" for p in problems)
    for p in problems:
        print(p, file=out)
    return errors, len(problems) - errors


# ----------------------------------------------------------------------------- lint


def lint_profile(profile: Profile, reference: str) -> list[Problem]:
    """Everything wrong or worth a look in one profile (format problems come from the loader)."""
    problems = list(profile.problems)
    table = str(profile.table_path)
    seen: dict[tuple[str, str, str, str], Entry] = {}
    by_form: dict[tuple[str, str, str], list[Entry]] = defaultdict(list)
    for e in profile.entries:
        key = (e.spun, e.original, e.left, e.right)
        if key in seen:
            first = seen[key]
            both_used = first.status == e.status == "approved"
            problems.append(Problem(f"{table}:{e.line}", f"duplicate of line {first.line} ({e.label()})"
                                    + ("" if both_used else f", statuses {first.status}/{e.status}"),
                                    "error" if both_used or first.status != e.status else "warning"))
            continue
        seen[key] = e
        if e.status == "approved":
            by_form[(e.spun, e.left, e.right)].append(e)
        if e.spun == e.original and e.kind != "protect":
            problems.append(Problem(f"{table}:{e.line}", f"original equals spun ({e.spun}) but kind is {e.kind}: use kind protect", "warning"))
    approved_keys = {e.spun for e in profile.entries if e.status == "approved"}
    for (spun, left, right), rows in by_form.items():
        originals = sorted({r.original for r in rows})
        if len(originals) > 1:
            lines = ", ".join(str(r.line) for r in rows)
            where = f"{table}:{rows[0].line}"
            if left or right:
                problems.append(Problem(where, f"conflicting rows (lines {lines}): {left}[{spun}]{right} → {' / '.join(originals)} with the same context", "error"))
            else:
                has_context = any(e.spun == spun and e.context_len and e.status == "approved" for e in profile.entries)
                problems.append(Problem(where, f"ambiguous {spun} → {' / '.join(originals)} (lines {lines}) without context: "
                                        + ("context rows decide where they hold, the scorer elsewhere" if has_context
                                           else "only the scorer decides; add context rows or a protect default"), "warning"))
    restoring = {e.spun for e in profile.entries if e.status == "approved" and e.original != e.spun}
    for e in profile.entries:
        # a protect row beside rows that restore the same form is a candidate ("may be itself"), not a shield
        if e.kind == "protect" and e.status == "approved" and e.spun not in restoring:
            inner = [k for k in approved_keys if k != e.spun and k in e.spun]
            if not inner:
                problems.append(Problem(f"{table}:{e.line}", f"protect {e.spun} shields nothing: no shorter approved key inside it", "warning"))
    # entries that would change clean text (they need context or review)
    if reference:
        fired = _fires(profile, reference)
        for e, places in sorted(fired.items(), key=lambda kv: kv[0].line):
            if e.original == e.spun:
                continue
            s, t, repl = places[0]
            problems.append(Problem(f"{table}:{e.line}", f"{e.label()} fires {len(places)}× on the clean reference texts, e.g. {kwic(reference, s, t, replacement=repl)}", "warning"))
        tells = profile.scanner.counts(reference)
        for form, count in tells.items():
            t = profile.scanner.tells[form]
            if t.kind == "tell":
                problems.append(Problem(f"{profile.folder / 'tells.tsv'}:{t.line}", f"tell {form} occurs {count}× in the clean reference texts", "warning"))
    return problems


def cmd_lint(args: argparse.Namespace) -> int:
    profiles = _profiles(args)
    reference = reference_text(_config(args).tables_dir)
    if not reference:
        print(f"{despin_dir(_config(args).tables_dir) / 'reference'}: no reference texts; cannot check entries against clean text", file=sys.stderr)
    errors = warnings = 0
    for profile in profiles:
        all_problems = lint_profile(profile, reference)
        _print_problems([p for p in all_problems if args.warnings or p.severity == "error"], sys.stdout)
        errors += sum(p.severity == "error" for p in all_problems)
        warnings += sum(p.severity == "warning" for p in all_problems)
        approved = sum(x.status == "approved" for x in profile.entries)
        print(f"{profile.name}: {len(profile.entries)} rows ({approved} approved), {len(profile.tells)} tells", file=sys.stderr)
    print(f"{errors} error(s), {warnings} warning(s)" + ("" if args.warnings else " (show warnings with -w)"), file=sys.stderr)
    return EXIT_ERRORS if errors else EXIT_OK


# ----------------------------------------------------------------------------- show / stats


def _select(profile: Profile, query: str | None) -> list[Entry]:
    if not query:
        return list(profile.entries)
    line = query.rsplit(":", 1)[-1]
    if line.isdigit():
        return [e for e in profile.entries if e.line == int(line)]
    return [e for e in profile.entries if query in (e.spun, e.original)]


def _entry_line(e: Entry) -> str:
    return f"{e.where}\t{e.status}\t{e.kind}\t{e.label()}\t{e.evidence}\t{e.note}".rstrip("\t")


def cmd_show(args: argparse.Namespace) -> int:
    reference = reference_text(_config(args).tables_dir)
    found = False
    for profile in _profiles(args):
        chosen = _select(profile, args.query)
        if not chosen:
            continue
        found = True
        fired = _fires(profile, reference) if reference else {}
        # what the entries would do if approved: the same scan with these rows approved
        trial = Restorer([e if e.status == "approved" else _approved(e) for e in profile.entries if e.status != "rejected"])
        trial_fired: dict[Entry, list] = defaultdict(list)
        if args.query and reference:
            for m in trial.scan(reference):
                for r in m.rows:
                    trial_fired[(r.path, r.line)].append((m.start, m.end, r.original))
        print(f"# profile {profile.name}: {profile.table_path}")
        for e in chosen:
            places = fired.get(e, []) or trial_fired.get((e.path, e.line), [])
            print(_entry_line(e) + f"\tfires {len(places)}× on reference")
            for s, t, repl in places[:args.kwic]:
                print(f"    {kwic(reference, s, t, replacement=repl)}")
    if not found:
        print(f"no entry matches {args.query!r}", file=sys.stderr)
        return EXIT_ERRORS
    return EXIT_OK


def _approved(e: Entry) -> Entry:
    from dataclasses import replace
    return replace(e, status="approved")


def cmd_stats(args: argparse.Namespace) -> int:
    config = _config(args)
    for profile in _profiles(args):
        counts: Counter = Counter()
        examples: dict[Entry, list[str]] = defaultdict(list)
        for name, text in _read_inputs(args.corpus):
            if args.all:
                ranges = [(0, len(text))]
                verdict = "gate ignored"
            else:
                gate = despin.score(text, config.with_overrides(despin_profiles=(profile.name,)))
                info = gate["profiles"].get(profile.name, {})
                ranges = [] if not info.get("spun") else _restored_ranges(text, info["paragraphs"])
                verdict = f"score {info.get('score', 0):.1f}, {'spun' if info.get('spun') else 'not spun'}"
            fired = 0
            for lo, hi in ranges:
                for m in profile.restorer.scan(text, lo, hi):
                    for r in m.rows:
                        counts[r] += 1
                        fired += 1
                        if len(examples[r]) < args.kwic:
                            examples[r].append(f"{name}: {kwic(text, m.start, m.end, replacement=r.original)}")
            print(f"# {name}: {verdict}, {fired} match(es)", file=sys.stderr)
        print(f"# profile {profile.name}: {len(counts)} of {sum(e.status == 'approved' for e in profile.entries)} approved entries fired")
        for e, c in counts.most_common():
            print(f"{c}\t{_entry_line(e)}")
            for line in examples[e]:
                print(f"    {line}")
    return EXIT_OK


def _restored_ranges(text: str, paragraphs: list[dict[str, Any]]) -> list[tuple[int, int]]:
    starts = despin._line_starts(text)
    ranges = []
    for p, start in zip(paragraphs, starts):
        if p["restore"]:
            end = text.find("\n", start)
            ranges.append((start, len(text) if end == -1 else end))
    return ranges


# ----------------------------------------------------------------------------- learn


def _tokens(text: str) -> list[int]:
    """Word boundaries (offsets) of ``text`` by jieba, or every character when jieba is missing."""
    try:
        import jieba
        jieba.setLogLevel(60)
        bounds, pos = [0], 0
        for token in jieba.cut(text, HMM=False):
            pos += len(token)
            bounds.append(pos)
        return bounds
    except ImportError:
        return list(range(len(text) + 1))


def align(spun: str, original: str) -> list[tuple[str, str, int, int]]:
    """(spun form, original, start in spun, end in spun) for each rewritten place.

    Character alignment (difflib, no junk heuristic) finds the minimal differing spans;
    each is widened to whole words of the original (jieba), because the spinner swaps
    words (消息 for 信息), not the single differing characters (消 for 信). A span that
    covers several words with equal lengths on both sides is split word by word
    (我邦家当范围 / 我国产业规模 → 我邦/我国, 家当/产业, 范围/规模), and a long word is
    narrowed to the shortest dictionary word inside it that covers the difference
    (消息化/信息化 → 消息/信息).
    """
    bounds = _tokens(original)
    words = word_frequencies()
    matcher = difflib.SequenceMatcher(None, spun, original, autojunk=False)
    ops = _merge_slips(matcher.get_opcodes())
    pairs = []
    for index, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            continue
        # how far the equal blocks on each side let us widen
        room_left = ops[index - 1][2] - ops[index - 1][1] if index > 0 and ops[index - 1][0] == "equal" else 0
        room_right = ops[index + 1][2] - ops[index + 1][1] if index + 1 < len(ops) and ops[index + 1][0] == "equal" else 0
        k = _bisect_right(bounds, j1) - 1
        new_j1 = bounds[k] if k >= 0 else j1
        if j2 > j1:
            k2 = _bisect_left(bounds, j2)
            new_j2 = bounds[k2] if k2 < len(bounds) else j2
        else:  # pure insertion in the spun text: take the original's word that follows
            k2 = _bisect_right(bounds, j1)
            new_j2 = bounds[k2] if k2 < len(bounds) else j1
        dl = min(j1 - new_j1, room_left)
        dr = min(new_j2 - j2, room_right)
        s, t, a, b = i1 - dl, i2 + dr, j1 - dl, j2 + dr
        if t - s == b - a:
            cuts = [x for x in bounds if a < x < b]
            for x, y in zip([a] + cuts, cuts + [b]):
                sx, sy = s + (x - a), s + (y - a)
                if spun[sx:sy] != original[x:y]:
                    pairs.append(_narrow(spun[sx:sy], original[x:y], sx, words))
        else:
            pairs.append((spun[s:t], original[a:b], s, t))
    return pairs


def _merge_slips(ops: list[tuple[str, int, int, int, int]]) -> list[tuple[str, int, int, int, int]]:
    """Join two differences separated by a single equal character: that character is usually a
    coincidence (供应范围化 / 提供规模化 share 供 at different places), not an unchanged word."""
    out: list[tuple[str, int, int, int, int]] = []
    for op in ops:
        if (op[0] != "equal" and len(out) >= 2 and out[-1][0] == "equal" and out[-1][2] - out[-1][1] == 1
                and out[-2][0] != "equal"):
            _, i1, _, j1, _ = out[-2]
            out[-2:] = [("replace", i1, op[2], j1, op[4])]
        elif op[0] != "equal" and out and out[-1][0] != "equal":
            _, i1, _, j1, _ = out[-1]
            out[-1] = ("replace", i1, op[2], j1, op[4])
        else:
            out.append(op)
    return out


def _narrow(spun: str, original: str, start: int, words: dict[str, int]) -> tuple[str, str, int, int]:
    """Shrink an equal-length pair to the shortest dictionary word of the original (≥ 2 characters)
    that still covers every differing character."""
    differ = [k for k in range(len(spun)) if spun[k] != original[k]]
    d1, d2 = differ[0], differ[-1] + 1
    best = None
    for x in range(0, d1 + 1):
        for y in range(max(d2, x + 2), len(original) + 1):
            if y - x >= len(original):
                continue
            w = original[x:y]
            if w in words and (best is None or (y - x, -words[w]) < (best[1] - best[0], -words[original[best[0]:best[1]]])):
                best = (x, y)
    x, y = best or (0, len(original))
    return spun[x:y], original[x:y], start + x, start + y


def _bisect_right(a: list[int], x: int) -> int:
    from bisect import bisect_right
    return bisect_right(a, x)


def _bisect_left(a: list[int], x: int) -> int:
    from bisect import bisect_left
    return bisect_left(a, x)


def _kind(spun: str, original: str) -> str:
    return "char" if len(spun) == 1 else "word" if max(len(spun), len(original)) <= 3 else "phrase"


def cmd_learn(args: argparse.Namespace) -> int:
    profile = _one_profile(args)
    spun_text = Path(args.spun).read_text(encoding="utf-8")
    original_text = Path(args.original).read_text(encoding="utf-8")
    known = {(e.spun, e.original) for e in profile.entries}
    # align paragraph by paragraph when the shapes agree (faster and no cross-paragraph pairs)
    spun_lines, orig_lines = spun_text.splitlines(), original_text.splitlines()
    if len(spun_lines) != len(orig_lines):
        spun_lines, orig_lines = [spun_text], [original_text]
    found: dict[tuple[str, str], list[str]] = {}
    evidence: dict[tuple[str, str], str] = {}
    stem = Path(args.spun).name
    for number, (s_line, o_line) in enumerate(zip(spun_lines, orig_lines), start=1):
        if s_line == o_line:
            continue
        for spun, original, s, t in align(s_line, o_line):
            if not spun or not original or spun == original or len(spun) > args.max_len:
                continue
            if not (_HAN.fullmatch(spun) and _HAN.fullmatch(original)):
                continue  # the spinner swaps Chinese words; a pair with punctuation is an alignment slip
            key = (spun, original)
            if key in known:
                continue
            found.setdefault(key, []).append(kwic(s_line, s, t))
            evidence.setdefault(key, f"{stem}:{number}")
    rows = []
    for (spun, original), contexts in sorted(found.items(), key=lambda kv: -len(kv[1])):
        note = f"learned ×{len(contexts)}: " + " | ".join(contexts[:3])
        rows.append([spun, original, "", "", _kind(spun, original), "proposed", evidence[(spun, original)], note])
    for row in rows:
        print("\t".join(row))
    print(f"{len(rows)} new pair(s) proposed" + (f"; appended to {profile.table_path}" if args.write and rows else ""), file=sys.stderr)
    if args.write and rows:
        append_rows(profile.table_path, rows)
    return EXIT_OK


def append_rows(path: Path, rows: Sequence[Sequence[str]]) -> None:
    """Append rows at the end of a table, never touching the existing lines."""
    existing = path.read_text(encoding="utf-8") if path.exists() else "\t".join(TABLE_COLUMNS) + "\n"
    header = _header(existing)
    lines = []
    for row in rows:
        cells = dict(zip(TABLE_COLUMNS, row))
        lines.append("\t".join(cells.get(c, "").replace("\t", " ") for c in header))
    if existing and not existing.endswith("\n"):
        existing += "\n"
    path.write_text(existing + "\n".join(lines) + "\n", encoding="utf-8")


def _header(text: str) -> list[str]:
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return [c.strip() for c in line.split("\t")]
    return list(TABLE_COLUMNS)


def set_statuses(path: Path, decisions: dict[int, str]) -> int:
    """Write new statuses into the given lines (1-based) of a table, keeping everything else byte for byte."""
    lines = path.read_text(encoding="utf-8").split("\n")
    column = _header("\n".join(lines)).index("status")
    changed = 0
    for number, status in decisions.items():
        cells = lines[number - 1].split("\t")
        while len(cells) <= column:
            cells.append("")
        if cells[column].strip() != status:
            cells[column] = status
            lines[number - 1] = "\t".join(cells)
            changed += 1
    path.write_text("\n".join(lines), encoding="utf-8")
    return changed


# ----------------------------------------------------------------------------- why


def explain(text: str, config: Config, profile_names: Sequence[str] = ()) -> list[str]:
    """Lines that say, paragraph by paragraph, what the de-spin stage does with ``text`` and why."""
    out: list[str] = []
    gate = despin.score(text, config.with_overrides(despin_profiles=tuple(profile_names)) if profile_names else config)
    out.append(f"gate: {'spun' if gate['spun'] else 'not spun'}"
               + (f" (profile {gate['profile']})" if gate["profile"] else ""))
    for name, info in gate["profiles"].items():
        out.append(f"  profile {name}: score {info['score']} (threshold {info['threshold']}), "
                   f"{info['tells']} tell(s), {info['anti'] if info['anti'] is not None else '-'} anti-tell(s)"
                   + ("" if info["tells"] else " — no tell at all: nothing is restored"))
    result = despin.run(text, config.with_overrides(despin_profiles=(gate["profile"],)) if gate["profile"] else config, {})
    changes = {(c.start, c.end): c for c in result.changes}
    unresolved = {(u["start"], u["end"]): u for u in result.data.get("despin", {}).get("unresolved", [])}
    resolved = {(u["start"], u["end"]): u for u in result.data.get("despin", {}).get("resolved", [])}
    for name, info in gate["profiles"].items():
        if profile_names and name not in profile_names:
            continue
        profile = next(p for p in load_profiles(config, [name], strict=False))
        chosen = gate["profile"] == name
        starts = despin._line_starts(text)
        for para, start in zip(info.get("paragraphs") or [], starts):
            end = text.find("\n", start)
            end = len(text) if end == -1 else end
            matches = profile.restorer.scan(text, start, end)
            if not matches:
                continue
            chosen = chosen and gate["spun"]
            if not gate["spun"]:
                state = "left alone"
                reason = (f" (document not spun: score {info['score']} vs threshold {info['threshold']}, "
                          f"{info['tells']} tell(s) vs min_tells {profile.settings['min_tells']:g})")
            elif not chosen:
                state, reason = "left alone", " (another profile scored higher)"
            else:
                state = "restored" if para["restore"] else "left alone"
                reason = "" if para["restore"] else \
                    f" (paragraph score {para['score']} ≤ {profile.settings['paragraph_threshold']:g}: {para['anti']} anti-tell(s), {para['tells']} tell(s))"
            out.append(f"[{name}] line {para['line']}: {state}{reason}")
            won = set()
            for m in matches:
                won.add((m.start, m.end))
                spot = kwic(text, m.start, m.end)
                rows = ", ".join(f"{r.where} {r.label()}" for r in m.rows)
                c = changes.get((m.start, m.end)) if chosen else None
                if c:
                    out.append(f"  {m.start}-{m.end} {spot}: {c.before}→{c.after} by {c.rule} ({c.why})")
                elif (m.start, m.end) in unresolved and chosen:
                    u = unresolved[(m.start, m.end)]
                    out.append(f"  {m.start}-{m.end} {spot}: unchanged, scorer not decisive {u['candidates']} ({rows})")
                elif (m.start, m.end) in resolved and chosen:
                    out.append(f"  {m.start}-{m.end} {spot}: kept by the scorer {resolved[(m.start, m.end)]['candidates']}")
                elif tuple(m.originals) == (text[m.start:m.end],):
                    out.append(f"  {m.start}-{m.end} {spot}: protected by {rows}")
                else:
                    out.append(f"  {m.start}-{m.end} {spot}: would be {'/'.join(m.originals)} ({rows}), paragraph not restored")
            # keys that occur but lost: overlapped by a winner, or their context did not hold
            for key in profile.restorer.keys:
                pos = text.find(key, start, end)
                while pos != -1:
                    if (pos, pos + len(key)) not in won:
                        rows = profile.restorer.rows[key]
                        ok = profile.restorer.eligible(text, pos, key, start, end)
                        reason = "inside a longer winning match" if ok else \
                            "context does not hold (" + ", ".join(f"{r.where} needs {r.left}[{r.spun}]{r.right}" for r in rows if r.context_len) + ")"
                        out.append(f"  {pos}-{pos + len(key)} {kwic(text, pos, pos + len(key))}: {key} not used: {reason}")
                    pos = text.find(key, pos + 1, end)
    for w in result.warnings:
        out.append(f"warning: {w}")
    return out


def cmd_why(args: argparse.Namespace) -> int:
    if args.file:
        text = Path(args.file).read_text(encoding="utf-8")
    elif args.text:
        text = " ".join(args.text)
    else:
        text = sys.stdin.read()
    if text and not text.endswith("\n"):
        text += "\n"
    names = [args.profile] if args.profile else []
    for line in explain(text, _config(args), names):
        print(line)
    return EXIT_OK


# ----------------------------------------------------------------------------- review


def _contexts(profile: Profile, entry: Entry, reference: str, corpus: str, limit: int = 3) -> tuple[list[str], int]:
    """Where the entry would fire if approved: on the corpus given, else on the reference texts."""
    trial = Restorer([_approved(entry)] + [e for e in profile.entries if e.status == "approved"])
    lines, count = [], 0
    for label, text in (("corpus", corpus), ("clean reference", reference)):
        if not text:
            continue
        for m in trial.scan(text):
            if any(r.path == entry.path and r.line == entry.line for r in m.rows):
                count += label == "clean reference"
                if len(lines) < limit:
                    lines.append(f"{label}: {kwic(text, m.start, m.end, replacement=entry.original)}")
    return lines, count


def cmd_review(args: argparse.Namespace) -> int:
    if args.apply:
        return _apply_decisions(args)
    profile = _one_profile(args)
    proposed = [e for e in profile.entries if e.status == "proposed"]
    if not proposed:
        print(f"{profile.table_path}: no proposed rows", file=sys.stderr)
        return EXIT_OK
    reference = reference_text(_config(args).tables_dir)
    corpus = "\n".join(t for _, t in _read_inputs(args.corpus)) if args.corpus else ""
    if args.html:
        Path(args.html).write_text(review_html(profile, proposed, reference, corpus), encoding="utf-8")
        print(f"wrote {args.html}: open it, decide, press 'download decisions', then run "
              f"'policyclean table review --apply decisions.tsv'", file=sys.stderr)
        return EXIT_OK
    decisions: dict[int, str] = {}
    answers = {"a": "approved", "r": "rejected"}
    for number, e in enumerate(proposed, start=1):
        lines, clean = _contexts(profile, e, reference, corpus)
        print(f"\n[{number}/{len(proposed)}] {e.where}  {e.label()}  kind={e.kind}  evidence={e.evidence}")
        if e.note:
            print(f"  note: {e.note}")
        for line in lines:
            print(f"  {line}")
        if clean:
            print(f"  WARNING: would change the clean reference texts {clean}×")
        answer = ""
        while answer not in ("a", "r", "s", "q"):
            try:
                answer = input("  (a)pprove, (r)eject, (s)kip, (q)uit? ").strip().lower()[:1]
            except EOFError:
                answer = "q"
        if answer == "q":
            break
        if answer in answers:
            decisions[e.line] = answers[answer]
    changed = set_statuses(profile.table_path, decisions) if decisions else 0
    print(f"{changed} row(s) updated in {profile.table_path}", file=sys.stderr)
    return EXIT_OK


def _apply_decisions(args: argparse.Namespace) -> int:
    """Apply a decisions TSV (columns profile, line, spun, original, left, right, decision)."""
    from .data import read_tsv
    by_profile: dict[str, dict[int, str]] = defaultdict(dict)
    problems = 0
    rows = list(read_tsv(Path(args.apply), required=("profile", "line", "spun", "original", "decision")))
    profiles = {p.name: p for p in load_profiles(_config(args), sorted({r["profile"] for r in rows}), strict=False)}
    for r in rows:
        decision = {"approve": "approved", "approved": "approved", "reject": "rejected", "rejected": "rejected"}.get(r["decision"])
        if decision is None:
            continue  # skipped
        profile = profiles[r["profile"]]
        # find the row: by line if it still says the same, else by its content (the file may have moved on)
        same = lambda e: (e.spun, e.original, e.left, e.right) == (r["spun"], r["original"], r["left"], r["right"])
        target = next((e for e in profile.entries if e.line == int(r["line"] or 0) and same(e)), None) \
            or next((e for e in profile.entries if same(e) and e.status == "proposed"), None)
        if target is None:
            print(f"{args.apply}:{r.line}: no row {r['spun']}→{r['original']} in {profile.table_path}; skipped", file=sys.stderr)
            problems += 1
            continue
        by_profile[profile.name][target.line] = decision
    for name, decisions in by_profile.items():
        changed = set_statuses(profiles[name].table_path, decisions)
        print(f"{changed} row(s) updated in {profiles[name].table_path}", file=sys.stderr)
    return EXIT_ERRORS if problems else EXIT_OK


def review_html(profile: Profile, proposed: list[Entry], reference: str, corpus: str) -> str:
    """A self-contained page: each proposed row in context with approve/reject/skip buttons and a
    'download decisions' button (a static page cannot write the table itself)."""
    items = []
    for e in proposed:
        lines, clean = _contexts(profile, e, reference, corpus, limit=5)
        items.append({"profile": profile.name, "line": e.line, "spun": e.spun, "original": e.original,
                      "left": e.left, "right": e.right, "kind": e.kind, "evidence": e.evidence, "note": e.note,
                      "contexts": lines, "clean": clean})
    data = json.dumps(items, ensure_ascii=False).replace("</", "<\\/")
    title = html.escape(f"policyclean: review proposed rows of {profile.table_path}")
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>{title}</title>
<style>
body{{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.5}}
.row{{border:1px solid #ccc;border-radius:6px;padding:.6em 1em;margin:.8em 0}}
.row.approve{{background:#e8f6e8}} .row.reject{{background:#f9e6e6}}
.pair{{font-size:1.3em}} .ctx{{font-family:monospace;color:#333}} .warn{{color:#a00}}
button{{margin-right:.5em}} #bar{{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #ccc}}
</style></head><body>
<h1>{title}</h1>
<p>Decide each row, then press <b>download decisions</b> and run
<code>policyclean table review --apply decisions.tsv</code> in the project folder.
This page is static and cannot change the table itself; undecided rows stay <i>proposed</i>.</p>
<div id="bar"><button onclick="download()">download decisions</button> <span id="count"></span></div>
<div id="rows"></div>
<script>
const items = {data};
const decisions = {{}};
function esc(s){{return String(s).replace(/[&<>"]/g,c=>({{'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}}[c]));}}
function render(){{
  const box=document.getElementById('rows'); box.innerHTML='';
  items.forEach((it,i)=>{{
    const d=decisions[i]||'';
    const div=document.createElement('div'); div.className='row '+d;
    const ctx=(it.left||it.right)?` <small>context: ${{esc(it.left)}}[${{esc(it.spun)}}]${{esc(it.right)}}</small>`:'';
    div.innerHTML=`<div class="pair">${{esc(it.spun)}} → ${{esc(it.original)}}${{ctx}}</div>
      <div><small>table.tsv:${{it.line}} · ${{esc(it.kind)}} · evidence ${{esc(it.evidence)}}</small></div>
      <div><small>${{esc(it.note)}}</small></div>
      ${{it.contexts.map(c=>`<div class="ctx">${{esc(c)}}</div>`).join('')}}
      ${{it.clean?`<div class="warn">would change the clean reference texts ${{it.clean}}×</div>`:''}}
      <div><button onclick="decide(${{i}},'approve')">approve</button><button onclick="decide(${{i}},'reject')">reject</button><button onclick="decide(${{i}},'')">skip</button> <b>${{d}}</b></div>`;
    box.appendChild(div);
  }});
  document.getElementById('count').textContent=Object.values(decisions).filter(Boolean).length+' of '+items.length+' decided';
}}
function decide(i,d){{decisions[i]=d;render();}}
function download(){{
  const head=['profile','line','spun','original','left','right','decision'];
  const lines=['# decisions for policyclean table review --apply', head.join('\\t')];
  items.forEach((it,i)=>{{ if(decisions[i]) lines.push([it.profile,it.line,it.spun,it.original,it.left,it.right,decisions[i]].join('\\t')); }});
  const blob=new Blob([lines.join('\\n')+'\\n'],{{type:'text/tab-separated-values'}});
  const a=document.createElement('a'); a.href=URL.createObjectURL(blob); a.download='decisions.tsv'; a.click();
}}
render();
</script></body></html>
"""


# ----------------------------------------------------------------------------- the parser


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``table`` (with its own sub-commands) to the main CLI's sub-parsers."""
    table = subparsers.add_parser("table", help="check, inspect and review the de-spin correction tables",
                                  description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    table.set_defaults(func=lambda args: (table.print_help(), EXIT_USAGE)[1])
    sub = table.add_subparsers(dest="table_command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser, profile: bool = True) -> None:
        if profile:
            p.add_argument("--profile", "-p", help="one spinner profile (a folder of corrections/despin/); default: all")
        p.add_argument("--tables", metavar="DIR", help="a copy of corrections/ to use (default: the shipped one or $POLICYCLEAN_TABLES)")

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=_guard(func))
        return p

    p = add("lint", cmd_lint, "check the tables: format errors (file:line), duplicates, conflicts, ambiguous keys, entries that fire on clean text")
    common(p)
    p.add_argument("-w", "--warnings", action="store_true", help="print warnings too (errors always)")

    p = add("show", cmd_show, "show entries (all, a spun or original form, or table.tsv:LINE) and where they fire on the clean reference texts")
    common(p)
    p.add_argument("query", nargs="?", help="a spun form, an original, or table.tsv:LINE")
    p.add_argument("--kwic", type=int, default=3, help="context lines per entry (default 3)")

    p = add("stats", cmd_stats, "per entry: how often it fires on the given files or folders, with keyword-in-context lines")
    common(p)
    p.add_argument("corpus", nargs="+", help="files or folders (*.txt)")
    p.add_argument("--all", action="store_true", help="ignore the gate: match every paragraph")
    p.add_argument("--kwic", type=int, default=2, help="context lines per entry (default 2)")

    p = add("learn", cmd_learn, "align a spun text with its original and propose the new pairs as 'proposed' rows")
    common(p)
    p.add_argument("spun", help="the spun text (UTF-8)")
    p.add_argument("original", help="the original text (UTF-8)")
    p.add_argument("--write", action="store_true", help="append the proposed rows to the profile's table.tsv")
    p.add_argument("--max-len", type=int, default=8, help="ignore differences longer than this (default 8)")

    p = add("why", cmd_why, "say what the de-spin stage does with a text: gate scores, matches, winners, and why something did not change")
    common(p)
    p.add_argument("text", nargs="*", help="the text (or use --file, or stdin)")
    p.add_argument("--file", "-f", help="read the text from a file")

    p = add("review", cmd_review, "approve or reject proposed rows: in the terminal, or via a self-contained HTML page")
    common(p)
    p.add_argument("--html", metavar="FILE", help="write a review page instead of asking in the terminal")
    p.add_argument("--apply", metavar="DECISIONS", help="apply a decisions.tsv downloaded from the review page")
    p.add_argument("--corpus", nargs="*", default=[], help="files or folders to show the proposed rows in context")
    return table


def _guard(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except (PolicycleanError, OSError) as error:
            print(f"policyclean table: {error}", file=sys.stderr)
            return EXIT_USAGE
    return run


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="policyclean")
    sub = parser.add_subparsers(dest="command")
    register(sub)
    args = parser.parse_args(["table", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
