"""Stage 'despin': detect synonym-spun (伪原创) paragraphs and restore the original wording.

1. The gate: each profile's tells (spinner products such as 我邦, 家当, 模子) and
   anti-tells (strings the spinner never leaves, such as 国, 关, a bare 在) give a
   document score and paragraph scores per 100 characters. Clean text is full of
   anti-tells and has no tells, so the first automaton pass ("any tell at all?")
   usually ends the stage.
2. The restorer: one leftmost-longest pass of the profile's table over the spun
   paragraphs (see :mod:`policyclean.spintable` for the exact rule), never pair by
   pair, because the spinner's pairs chain and cycle.
3. The scorer: a spun form with several possible originals (范围 ← 规模 / 领域) is
   decided by context rows first, then by n-gram evidence from clean reference text
   and jieba's word frequencies in the restored neighbourhood; when the best is not
   clearly better, the spot is left unchanged and reported.

Speed: a spun megabyte has ~50 000 substitutions and ~100 000 tell/anti-tell matches, so the
gate and the restorer work on whole lists of automaton matches with C-level maps (running
sums, bisect, dict lookups of precomputed per-pattern values) instead of a Python step per
match; only contextual keys and ambiguous spots are looked at one by one. Each such
formulation is tested against the plain one it replaced (tests/test_despin.py,
tests/test_spintable.py). With ``Config.max_changes == 0`` no Change is built, only counted.
"""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right
from collections import Counter
from contextlib import contextmanager
from itertools import accumulate, chain, compress, count, islice, repeat
from operator import add, attrgetter, getitem, mul, sub, truediv
from dataclasses import dataclass, field
from typing import Any, Mapping

from .model import Change, Config, StageResult
from .spintable import (Entry, Match, Profile, candidate_score, density, han_count, han_per_line, load_profiles,
                        reference_ngrams, word_frequencies)


RESOLVED_DETAIL = 200  # ambiguous spots the scorer decided, listed in detail in the report data
GC_PAUSE_CHARS = 200_000  # above this, pause the cyclic GC while the stage runs (see _gc_paused)


@contextmanager
def _gc_paused(pause: bool):
    """A spun megabyte yields ~50 000 substitutions and the gate's automata ~100 000 matches,
    each a few small acyclic objects (tuples, strings, a Change); the cyclic collector would
    rescan them again and again (≈20-40 % of the time). Reference counting still frees
    everything; the collector is restored afterwards."""
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()

# ----------------------------------------------------------------------------- the gate


@dataclass
class Lines:
    """The gate's verdict on each line it scored, as parallel lists (one item per line)."""

    number: list[int] = field(default_factory=list)  # 1-based line number in the text
    start: list[int] = field(default_factory=list)  # offsets of the line in the text, "\n" excluded
    end: list[int] = field(default_factory=list)
    score: list[float] = field(default_factory=list)  # the line's own density
    window_score: list[float] = field(default_factory=list)  # its neighbourhood's density
    tells: list[int] = field(default_factory=list)
    anti: list[int] = field(default_factory=list)
    restore: list[bool] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)  # the scored lines, as (start, end) spans with their "\n"

    def to_dicts(self) -> list[dict[str, Any]]:
        return [{"line": n, "start": s, "end": e, "score": round(sc, 2), "window_score": round(ws, 2),
                 "tells": t, "anti": a, "restore": r}
                for n, s, e, sc, ws, t, a, r in zip(self.number, self.start, self.end, self.score, self.window_score,
                                                   self.tells, self.anti, self.restore)]


@dataclass
class Verdict:
    """What the gate found for one profile."""

    profile: Profile
    score: float
    threshold: float
    tells: int
    anti: int
    spun: bool
    forms: Counter = field(default_factory=Counter)
    lines: Lines | None = None  # filled when a long text is judged line by line

    def to_dict(self) -> dict[str, Any]:
        return {"profile": self.profile.name, "score": round(self.score, 2), "threshold": self.threshold,
                "tells": self.tells, "anti": self.anti, "spun": self.spun,
                "top_tells": [f for f, _ in self.forms.most_common() if self.profile.scanner.tells[f].kind == "tell"][:8]}


def _threshold(profile: Profile, config: Config | None) -> float:
    override = getattr(config, "despin_threshold", None)
    return float(override) if override is not None else float(profile.settings["threshold"])


def _judge(text: str, profile: Profile, config: Config | None) -> Verdict | None:
    """None when no tell of the profile occurs at all (the cheap exit)."""
    scanner = profile.scanner
    if not scanner.any_tell(text):
        return None
    forms = scanner.counts(text)
    tw, aw, tc, ac = scanner.evidence(forms)
    score = density(tw, aw, han_count(text))
    threshold = _threshold(profile, config)
    spun = score >= threshold and tc >= profile.settings["min_tells"]
    verdict = Verdict(profile, score, threshold, tc, ac, spun, forms)
    if not spun and tc >= profile.settings["min_tells"] and len(text) > profile.settings["window_chars"]:
        # a long text: a part of it may be spun although the whole does not score as spun
        verdict.lines = _paragraphs(text, verdict)
        verdict.spun = any(verdict.lines.restore)
        if verdict.spun:
            verdict.score = round(max(compress(verdict.lines.window_score, verdict.lines.restore)), 2)
    return verdict


def _line_starts(text: str) -> list[int]:
    return _line_bounds(text)[0]


def _line_bounds(text: str) -> tuple[list[int], list[int]]:
    """Where each line of ``text`` starts and ends ("\\n" excluded); a final "\\n" ends the
    last line, it does not start an empty one."""
    lengths = list(map(len, text.split("\n")))
    if len(lengths) > 1 and not lengths[-1]:
        lengths.pop()
    starts = list(accumulate(map((1).__add__, lengths[:-1]), initial=0))
    return starts, list(map(add, starts, lengths))


def _paragraphs(text: str, verdict: Verdict, near_tells_only: bool = True) -> Lines:
    """Per line: its score, counts, its neighbourhood's score and whether it is restored.

    A line is restored when its neighbourhood (the lines within ``window_chars`` characters
    around it: the whole text for an ordinary document) scores as spun, and the line itself
    scores above ``paragraph_threshold`` or has no evidence either way (a short line of a
    spun text). The neighbourhood, not the whole file, decides so that a spun article inside
    a large file of clean ones is restored, and a clean one inside spun ones is not.

    With ``near_tells_only`` only the lines near a tell are scored and listed: a line whose
    neighbourhood holds no tell cannot count as spun, so the rest of a large clean file
    costs nothing (and the decisions are the same as when every line is scored).
    """
    half = int(verdict.profile.settings["window_chars"]) // 2
    spans = _spans_near_tells(text, verdict.profile, 3 * half) if near_tells_only else [(0, len(text))]
    lines = Lines(spans=spans)
    number, counted_to = 1, 0  # the line number at offset counted_to
    for lo, hi in spans:
        number += text.count("\n", counted_to, lo)
        counted_to = lo
        _score_lines(text, lo, hi, verdict, half, number, lines)
    return lines


def _spans_near_tells(text: str, profile: Profile, reach: int) -> list[tuple[int, int]]:
    """Line-aligned spans of ``text`` within ``reach`` characters of a tell, merged.

    ``reach`` is three half-windows: a line that may be restored is within one half-window
    of a tell, its window reaches one more, and the last half-window keeps every window
    that holds a tell from being cut short at the span's edge.
    """
    # The tells are found in the UTF-8 bytes (character offsets of every match would cost a
    # walk over the whole text); only the few offsets a span needs are converted.
    data = text.encode("utf-8")
    found = profile.scanner.tell_matches_utf8(data)
    if not found:
        return []
    _, tell_starts, tell_ends = zip(*found)
    where = _Offsets(text, data)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(found):
        start, end = where.char(tell_starts[i]), where.char(tell_ends[i])
        lo = text.rfind("\n", 0, max(0, start - reach)) + 1
        if spans and lo <= spans[-1][1]:
            lo = spans.pop()[0]
        hi = text.find("\n", min(len(text), end + reach))
        spans.append((lo, len(text) if hi == -1 else hi + 1))
        # the tells that end inside this span add nothing: go on at the first one ending after it
        i = bisect_right(tell_ends, where.byte(spans[-1][1]), i + 1)
    return spans


_UTF8_CONTINUATION = bytes(range(0x80, 0xC0))  # the bytes that do not start a character


class _Offsets:
    """Converts between character offsets of ``text`` and byte offsets of its UTF-8 ``data``,
    walking from the last offset converted: offsets asked for in ascending order cost one
    pass over the text in all (a step back starts again from 0)."""

    def __init__(self, text: str, data: bytes):
        self.text, self.data = text, data
        self.at_char = self.at_byte = 0  # the same place, counted in characters and in bytes

    def char(self, byte: int) -> int:
        if byte < self.at_byte:
            self.at_char = self.at_byte = 0
        self.at_char += len(self.data[self.at_byte:byte].translate(None, _UTF8_CONTINUATION))
        self.at_byte = byte
        return self.at_char

    def byte(self, char: int) -> int:
        if char < self.at_char:
            self.at_char = self.at_byte = 0
        self.at_byte += len(self.text[self.at_char:char].encode("utf-8"))
        self.at_char = char
        return self.at_byte


def _score_lines(text: str, lo: int, hi: int, verdict: Verdict, half: int, first_number: int, out: Lines) -> None:
    """Add to ``out`` the verdicts of the lines in ``text[lo:hi]`` (``lo`` starts line ``first_number``).

    Each step maps C-level functions (running sums, bisect) over the matches and the lines.
    """
    profile = verdict.profile
    settings = profile.settings
    span = text[lo:hi]
    starts, ends = _line_bounds(span)
    tw, aw, tc, ac = profile.scanner.line_evidence(span, starts)
    han = han_per_line(span, starts, ends)
    # the lines of each line's window: those within `half` characters of it
    w_lo = list(map(bisect_left, repeat(ends), map(sub, starts, repeat(half))))  # first line ending inside
    w_hi = list(map(bisect_right, repeat(starts), map(add, ends, repeat(half))))  # one past the last starting inside

    def window_sums(values: list, zero: float) -> list:
        running = list(accumulate(values, initial=zero))
        return list(map(sub, map(running.__getitem__, w_hi), map(running.__getitem__, w_lo)))

    w_tw, w_aw, w_tc, w_han = window_sums(tw, 0.0), window_sums(aw, 0.0), window_sums(tc, 0), window_sums(han, 0)
    window_score = _densities(w_tw, w_aw, w_han)
    score = _densities(tw, aw, han)
    threshold, min_tells, para_threshold = verdict.threshold, settings["min_tells"], settings["paragraph_threshold"]
    out.number += range(first_number, first_number + len(starts))
    out.start += map(lo.__add__, starts)
    out.end += map(lo.__add__, ends)
    out.score += score
    out.window_score += window_score
    out.tells += tc
    out.anti += ac
    out.restore += [ws >= threshold and wtc >= min_tells and (s > para_threshold or (t == 0 and a == 0))
                    for ws, wtc, s, t, a in zip(window_score, w_tc, score, tc, ac)]


def _densities(tell_weights: list, anti_weights: list, hans: list) -> list[float]:
    """``list(map(density, ...))`` without a Python call per line: the same operations in the
    same order, (tell - anti) * 100.0 / max(han, 1), each mapped at C level."""
    return list(map(truediv, map(mul, map(sub, tell_weights, anti_weights), repeat(100.0)), map(max, hans, repeat(1))))


def score(text: str, config: Config | None = None) -> dict[str, Any]:
    """The gate's view of ``text`` for ``policyclean detect``.

    Returns ``{"spun": bool, "verdict": "spun"|"not spun", "profile": name, "score": float, "threshold": float,
    "profiles": {name: {score, threshold, tells, anti, spun, top_tells, paragraphs}}}``.
    ``profile`` is the profile that would be applied, or, when the text is not spun, the
    one with the highest score (None without profiles). ``paragraphs`` lists per line the
    score, tell and anti-tell counts and whether it would be restored. Unlike the stage,
    this scores every profile fully (no early exit), so clean text gets its real,
    negative score.
    """
    config = config or Config()
    profiles = load_profiles(config)
    out: dict[str, Any] = {"spun": False, "profile": None, "score": 0.0, "threshold": None, "profiles": {}}
    best: Verdict | None = None
    for profile in profiles:
        forms = profile.scanner.counts(text)
        tw, aw, tc, ac = profile.scanner.evidence(forms)
        value = density(tw, aw, han_count(text))
        threshold = _threshold(profile, config)
        verdict = Verdict(profile, value, threshold, tc, ac, value >= threshold and tc >= profile.settings["min_tells"], forms)
        entry = verdict.to_dict()
        entry["paragraphs"] = [{k: v for k, v in p.items() if k not in ("start", "end")}
                               for p in _paragraphs(text, verdict, near_tells_only=False).to_dicts()] if text else []
        out["profiles"][profile.name] = entry
        if best is None or (verdict.spun, verdict.score) > (best.spun, best.score):
            best = verdict
    if best is not None:
        out.update(spun=best.spun, profile=best.profile.name, score=round(best.score, 2), threshold=best.threshold)
    out["verdict"] = "spun" if out["spun"] else "not spun"
    return out


# ----------------------------------------------------------------------------- the restorer


@dataclass
class Spot:
    """An ambiguous place: several originals are possible."""

    match: Match
    spun: str
    out_offset: int  # unused (kept for callers that built Spots by position)
    candidates: list[str]
    scores: dict[str, float] = field(default_factory=dict)
    choice: str | None = None  # None = left unchanged, unresolved

    def to_dict(self, text: str) -> dict[str, Any]:
        line_start = text.rfind("\n", 0, self.match.start) + 1
        line_end = text.find("\n", self.match.end)
        line_end = len(text) if line_end == -1 else line_end
        return {"start": self.match.start, "end": self.match.end, "spun": self.spun,
                "candidates": {c: round(s, 3) for c, s in self.scores.items()},
                "context": text[max(line_start, self.match.start - 8):self.match.start] + "【" + self.spun + "】"
                + text[self.match.end:min(line_end, self.match.end + 8)],
                "rows": [r.where for r in self.match.rows]}


def _why(entry: Entry) -> str:
    if entry.context_len:
        return f"spinner's {entry.spun} for {entry.original} in context {entry.left}[{entry.spun}]{entry.right}"
    return f"spinner's {entry.spun} for {entry.original}"


def restore(text: str, profile: Profile, ranges: list[tuple[int, int]]) -> tuple[str, list[Change], list[Spot]]:
    """Restore ``text`` inside ``ranges`` (line spans) with ``profile``'s table.

    Returns the new text, the changes (offsets into ``text``) and every ambiguous spot
    (decided or not).
    """
    done = restore_counted(text, profile, ranges)
    return done.text, done.changes, done.spots


@dataclass
class Restoration:
    """What :func:`restore_counted` made of a text."""

    text: str
    changes: list[Change]  # empty when not recorded
    spots: list[Spot]
    made: int  # how many changes were made, recorded or not
    starts: list[int]  # the winning matches in the old text
    ends: list[int]
    pieces: list[str]  # the new text: the old text before match i, match i's new text (piece 2i+1), ..., the rest

    def new_text_of(self, old: str, spans: list[tuple[int, int]]) -> str:
        """The new text of the ``spans`` of the old text (none of them cutting a match), joined."""
        parts = []
        for lo, hi in spans:
            first, last = bisect_left(self.starts, lo), bisect_left(self.starts, hi)
            if first == last:
                parts.append(old[lo:hi])
            else:
                parts += [old[lo:self.starts[first]], *self.pieces[2 * first + 1:2 * last], old[self.ends[last - 1]:hi]]
        return "".join(parts)


def restore_counted(text: str, profile: Profile, ranges: list[tuple[int, int]], record: bool = True) -> Restoration:
    """:func:`restore`, plus how many changes were made; with ``record`` False no Change is
    built (the caller only wants the text and the count)."""
    restorer = profile.restorer
    margin = float(profile.settings["margin"])
    window = int(profile.settings["window"])
    starts, ends, oids = restorer.scan_ranges(text, ranges)

    # What each outcome met here stands for, worked out once: the text it puts in (the one
    # original, or the spun form itself while ambiguous), whether that is a change, and the
    # change's (before, after, rule, why). Then every match is a few C-level lookups.
    put: dict[int, str] = {}
    changing: dict[int, bool] = {}
    ambiguous: set[int] = set()
    change_tail: dict[int, tuple[str, str, str, str]] = {}
    for oid in set(oids):
        spun, rows, originals = restorer.outcome(oid)
        if len(originals) == 1:
            put[oid] = originals[0]
            changing[oid] = originals[0] != spun
            if changing[oid]:
                change_tail[oid] = (spun, originals[0], profile.rule(rows[0]), _why(rows[0]))
        else:
            put[oid] = spun
            changing[oid] = False
            ambiguous.add(oid)

    # pieces: the text before each match, the match's new text, ..., the rest (match i is piece 2i+1)
    gaps = map(text.__getitem__, map(slice, chain((0,), ends), starts))
    pieces: list[str] = list(chain.from_iterable(zip(gaps, map(put.__getitem__, oids))))
    pieces.append(text[ends[-1]:] if ends else text)
    is_change = list(map(changing.__getitem__, oids))
    made = sum(is_change)
    changes: list[Change] = []
    if record:
        # Change(start, end, *tail) built by tuple.__new__ straight from (start, end) + tail
        heads = zip(compress(starts, is_change), compress(ends, is_change))
        tails = map(change_tail.__getitem__, compress(oids, is_change))
        changes = list(map(tuple.__new__, repeat(Change), map(add, heads, tails)))
    spots: list[tuple[int, Spot, tuple[str, ...]]] = []  # (piece index, spot, its candidates)
    if ambiguous:
        candidates_of = {}
        for oid in ambiguous:
            spun, _, originals = restorer.outcome(oid)
            candidates_of[oid] = originals + ((spun,) if spun not in originals else ())
        for i in compress(count(), map(ambiguous.__contains__, oids)):
            spun, rows, originals = restorer.outcome(oids[i])
            candidates = candidates_of[oids[i]]
            spots.append((2 * i + 1, Spot(Match(starts[i], ends[i], rows, originals), spun, 0, list(candidates)), candidates))

    if spots:
        ngrams = reference_ngrams(profile_tables_dir(profile))
        words = word_frequencies()
        weights = (float(profile.settings["ngram_weight"]), float(profile.settings["word_weight"]),
                   float(profile.settings["prior_weight"]))
        # the same neighbourhood scores (and ranks) the same: (left, right, candidates) -> (scores, ranked)
        memo: dict[tuple, tuple[dict[str, float], list[tuple[str, float]]]] = {}
        whys: dict[tuple, str] = {}  # (left, right, candidates, spun) -> the change's why
        rules: dict[tuple[int, str], str] = {}  # (id of the rows, choice) -> the rule of the choice's row
        scored: list[Change] = []
        # Left to right, so a decided spot is the restored left neighbour of the next one; a
        # second round retries the spots still open, now with decided right neighbours too.
        for _round in (1, 2):
            progress = False
            for index, spot, candidates in spots:
                if spot.choice is not None:
                    continue
                left = _left_of(pieces, index, window)
                right = _right_of(pieces, index, window)
                key = (left, right, candidates)
                known = memo.get(key)
                if known is None:
                    scores = {c: candidate_score(c, left, right, ngrams, words, weights) for c in candidates}
                    known = memo[key] = (scores, sorted(scores.items(), key=lambda kv: -kv[1]))
                spot.scores, ranked = known
                (best, best_score), (_, second_score) = ranked[0], ranked[1]
                if best_score - second_score < margin:
                    continue
                spot.choice = best
                progress = True
                if best != spot.spun:
                    pieces[index] = best
                    made += 1
                    if record:
                        rows = spot.match.rows
                        rule = rules.get((id(rows), best))
                        if rule is None:
                            rule = rules[id(rows), best] = profile.rule(next(r for r in rows if r.original == best))
                        why = whys.get(key + (spot.spun,))
                        if why is None:
                            why = whys[key + (spot.spun,)] = "scored: " + " > ".join(
                                f"{c}{'(keep)' if c == spot.spun else ''} {v:.2f}" for c, v in ranked) \
                                + f" (margin {margin:g}; neighbours {left}_{right})"
                        scored.append(Change(spot.match.start, spot.match.end, spot.spun, best, rule, why))
            if not progress:
                break
        if scored:
            changes = sorted(changes + scored, key=attrgetter("start"))
    return Restoration("".join(pieces), changes, [s for _, s, _ in spots], made, starts, ends, pieces)


def _left_of(pieces: list[str], index: int, window: int) -> str:
    """``_neighbour(pieces, index - 1, -1, window)`` from one join: a match's new text is never
    empty, so the ``2 * window`` pieces before ``index`` hold ``window`` characters."""
    if window <= 0:
        return ""
    first = max(0, index - 2 * window)
    near = "".join(map(getitem, pieces[first:index], repeat(slice(-window, None))))  # a gap may be long: its end only
    if len(near) < window and first > 0:
        return _neighbour(pieces, index - 1, -1, window)  # empty pieces after all (a table with an empty original)
    near = near[-window:]
    return near[near.rfind("\n") + 1:]


def _right_of(pieces: list[str], index: int, window: int) -> str:
    """``_neighbour(pieces, index + 1, 1, window)``, likewise."""
    if window <= 0:
        return ""
    last = index + 1 + 2 * window
    near = "".join(map(getitem, pieces[index + 1:last], repeat(slice(window))))
    if len(near) < window and last < len(pieces):
        return _neighbour(pieces, index + 1, 1, window)
    near = near[:window]
    cut = near.find("\n")
    return near if cut == -1 else near[:cut]


def _neighbour(pieces: list[str], index: int, step: int, window: int) -> str:
    """Up to ``window`` characters of restored text next to a spot, not crossing a line break."""
    parts: list[str] = []
    size = 0
    while 0 <= index < len(pieces) and size < window:
        piece = pieces[index]
        if step < 0:
            piece = piece[-(window - size):]
            cut = piece.rfind("\n")
            if cut != -1:
                parts.append(piece[cut + 1:])
                break
        else:
            piece = piece[:window - size]
            cut = piece.find("\n")
            if cut != -1:
                parts.append(piece[:cut])
                break
        parts.append(piece)
        size += len(piece)
        index += step
    return "".join(reversed(parts)) if step < 0 else "".join(parts)


def profile_tables_dir(profile: Profile) -> str:
    """The tables directory a profile was loaded from (its reference texts live there too)."""
    return str(profile.folder.parent.parent)


def _chunks(lines: Lines) -> list[tuple[int, int]]:
    """Consecutive restored lines merged into (start, end) spans."""
    ranges: list[tuple[int, int]] = []
    for start, end in compress(zip(lines.start, lines.end), lines.restore):
        if ranges and ranges[-1][1] + 1 == start:
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))
    return ranges


def run(text: str, config: Config, facts: Mapping[str, Any]) -> StageResult:
    if not text:
        return StageResult(text)
    with _gc_paused(len(text) > GC_PAUSE_CHARS):
        return _run(text, config, facts)


def _run(text: str, config: Config, facts: Mapping[str, Any]) -> StageResult:
    profiles = load_profiles(config)
    best: Verdict | None = None
    seen: list[Verdict] = []
    for profile in profiles:
        verdict = _judge(text, profile, config)
        if verdict is None:
            continue
        seen.append(verdict)
        if verdict.spun and (best is None or verdict.score > best.score):
            best = verdict
    if not seen:
        return StageResult(text)  # not one tell: the common case for clean text
    if best is None:
        top = max(seen, key=lambda v: v.score)
        data = {"despin": {"spun": False, "profile": None, "score": round(top.score, 2), "threshold": top.threshold,
                           "profiles": {v.profile.name: v.to_dict() for v in seen}}}
        return StageResult(text, data=data)

    profile = best.profile
    lines = best.lines if best.lines is not None else _paragraphs(text, best)
    ranges = _chunks(lines)
    record = config.max_changes != 0  # 0: the caller wants the text and the count, not the records
    restoration = restore_counted(text, profile, ranges, record)
    new_text, changes, spots, made = restoration.text, restoration.changes, restoration.spots, restoration.made

    # metadata read from the text before this stage (the title in 《…》) is spun like the text
    metadata_restored = {}
    for key, value in facts.get("metadata", {}).items():
        if isinstance(value, str) and profile.scanner.any_tell(value):
            restored_value = restore(value, profile, [(0, len(value))])[0]
            if restored_value != value:
                metadata_restored[key] = restored_value

    unresolved = [s for s in spots if s.choice is None]
    restored_lines = list(compress(lines.number, lines.restore))
    # tells still standing after restoration are table gaps: say which
    residual = Counter()
    if new_text != text:
        # A tell anywhere puts its line in the scored spans (a line with a tell form has a tell
        # match), and only lines of the spans were restored: their new text holds every tell.
        restored = restoration.new_text_of(text, lines.spans)
        # Usually no tell is left: the cheap look of the gate says so without counting every form
        # (a tell the counting automaton would meet is an occurrence any_tell finds).
        if profile.scanner.any_tell(restored):
            after = profile.scanner.counts(restored)
            residual = Counter({f: c for f, c in after.items() if profile.scanner.tells[f].kind == "tell"})
    data = {"despin": {
        "spun": True, "profile": profile.name, "score": round(best.score, 2), "threshold": best.threshold,
        "profiles": {v.profile.name: v.to_dict() for v in seen},
        "paragraphs": text.count("\n") + (not text.endswith("\n")), "paragraphs_restored": restored_lines,
        # lines near the spun text that were left (an unspun headline, a date line)
        "paragraphs_kept": [n for n, restored in zip(lines.number, lines.restore) if not restored],
        "substitutions": made,
        "resolved_count": len(spots) - len(unresolved),
        # the first ones in detail (a huge document would otherwise carry a huge report)
        "resolved": [{"start": s.match.start, "end": s.match.end, "spun": s.spun, "choice": s.choice,
                      "candidates": {c: round(v, 3) for c, v in s.scores.items()}}
                     for s in islice((s for s in spots if s.choice is not None), RESOLVED_DETAIL)],
        "unresolved": [s.to_dict(text) for s in unresolved],
        "residual_tells": dict(residual.most_common()),
        "metadata_restored": sorted(metadata_restored),
    }}
    if metadata_restored:
        data["metadata"] = metadata_restored
    warnings = []
    name = f"{config.source}: " if config.source else ""
    if unresolved:
        forms = Counter(s.spun for s in unresolved)
        listed = ", ".join(f"{f}×{c}" for f, c in forms.most_common(6))
        warnings.append(f"{name}despin left {len(unresolved)} ambiguous spot(s) unchanged ({listed}); "
                        f"see the report's despin data or 'policyclean table why'")
    if residual:
        listed = ", ".join(f"{f}×{c}" for f, c in residual.most_common(6))
        warnings.append(f"{name}despin: spinner tells remain after restoration ({listed}); the table may lack entries")
    summary = (f"restored {made} spun word(s) in {len(restored_lines)} of {data['despin']['paragraphs']} paragraphs "
               f"(profile {profile.name}, score {best.score:.1f} ≥ {best.threshold:g})")
    if unresolved:
        summary += f"; {len(unresolved)} ambiguous spot(s) left for an editor"
    return StageResult(new_text, tuple(changes), tuple(warnings), data, summary, count=None if record else made)
