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
"""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right
from collections import Counter
from contextlib import contextmanager
from itertools import islice
from operator import attrgetter
from dataclasses import dataclass, field
from typing import Any, Mapping

from .model import Change, Config, StageResult
from .spintable import (Entry, Match, Profile, candidate_score, density, han_count, load_profiles, without_han,
                        reference_ngrams, word_frequencies)


RESOLVED_DETAIL = 200  # ambiguous spots the scorer decided, listed in detail in the report data
GC_PAUSE_CHARS = 200_000  # above this, pause the cyclic GC while restoring (see _gc_paused)


@contextmanager
def _gc_paused(pause: bool):
    """A spun megabyte yields ~50 000 substitutions, each a few small acyclic objects (tuples,
    strings, a Change); the cyclic collector would rescan them again and again (≈40 % of the
    time). Reference counting still frees everything; the collector is restored afterwards."""
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
class Verdict:
    """What the gate found for one profile."""

    profile: Profile
    score: float
    threshold: float
    tells: int
    anti: int
    spun: bool
    forms: Counter = field(default_factory=Counter)
    paragraphs: list[dict[str, Any]] = field(default_factory=list)  # filled when spun (or asked for)

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
        verdict.paragraphs = _paragraphs(text, verdict)
        verdict.spun = any(p["restore"] for p in verdict.paragraphs)
        if verdict.spun:
            verdict.score = max(p["window_score"] for p in verdict.paragraphs if p["restore"])
    return verdict


def _line_starts(text: str) -> list[int]:
    starts = [0]
    pos = text.find("\n")
    while pos != -1 and pos + 1 < len(text):
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def _paragraphs(text: str, verdict: Verdict, near_tells_only: bool = True) -> list[dict[str, Any]]:
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
    result: list[dict[str, Any]] = []
    number, counted_to = 1, 0  # the line number at offset counted_to
    for lo, hi in spans:
        number += text.count("\n", counted_to, lo)
        counted_to = lo
        result.extend(_score_lines(text, lo, hi, verdict, half, number))
    return result


def _spans_near_tells(text: str, profile: Profile, reach: int) -> list[tuple[int, int]]:
    """Line-aligned spans of ``text`` within ``reach`` characters of a tell, merged.

    ``reach`` is three half-windows: a line that may be restored is within one half-window
    of a tell, its window reaches one more, and the last half-window keeps every window
    that holds a tell from being cut short at the span's edge.
    """
    spans: list[tuple[int, int]] = []
    for _, start, end in profile.scanner.tell_ac.find_matches_as_indexes(text):
        lo = text.rfind("\n", 0, max(0, start - reach)) + 1
        if spans and lo <= spans[-1][1]:
            if end <= spans[-1][1]:
                continue
            lo = spans.pop()[0]
        hi = text.find("\n", min(len(text), end + reach))
        spans.append((lo, len(text) if hi == -1 else hi + 1))
    return spans


def _score_lines(text: str, lo: int, hi: int, verdict: Verdict, half: int,
                 first_number: int) -> list[dict[str, Any]]:
    """The per-line verdicts of the lines in ``text[lo:hi]`` (``lo`` starts line ``first_number``)."""
    profile = verdict.profile
    settings = profile.settings
    span = text[lo:hi]
    starts = _line_starts(span)
    counters = profile.scanner.per_line(span, starts)
    para_threshold = settings["paragraph_threshold"]
    ends = []
    for start in starts:
        end = span.find("\n", start)
        ends.append(len(span) if end == -1 else end)
    evidence = [profile.scanner.evidence(counts) for counts in counters]
    # Han characters per line: the span without its Han characters keeps its line breaks
    han = [len(full) - len(bare) for full, bare in zip(span.split("\n"), without_han(span).split("\n"))]
    # prefix sums of tell weight, anti weight, tell count and Han characters, for window sums in O(1)
    sums = [(0.0, 0.0, 0, 0)]
    for (tw, aw, tc, _), line_han in zip(evidence, han):
        last = sums[-1]
        sums.append((last[0] + tw, last[1] + aw, last[2] + tc, last[3] + line_han))
    result = []
    for index, (start, end, (tw, aw, tc, ac), line_han) in enumerate(zip(starts, ends, evidence, han)):
        w_lo = bisect_left(ends, start - half)  # first line ending inside the window
        w_hi = bisect_right(starts, end + half)  # one past the last line starting inside it
        w_tw, w_aw, w_tc, w_han = (b - a for a, b in zip(sums[w_lo], sums[w_hi]))
        window_score = density(w_tw, w_aw, w_han)
        window_spun = window_score >= verdict.threshold and w_tc >= settings["min_tells"]
        score = density(tw, aw, line_han)
        restore = window_spun and (score > para_threshold or (tc == 0 and ac == 0))
        result.append({"line": first_number + index, "start": lo + start, "end": lo + end, "score": round(score, 2),
                       "window_score": round(window_score, 2), "tells": tc, "anti": ac, "restore": restore})
    return result


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
                               for p in _paragraphs(text, verdict, near_tells_only=False)] if text else []
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
    restorer = profile.restorer
    margin = float(profile.settings["margin"])
    window = int(profile.settings["window"])
    pieces: list[str] = []
    append = pieces.append
    changes: list[Change] = []
    add_change = changes.append
    spots: list[tuple[int, Spot]] = []
    rule_cache: dict[int, tuple[str, str]] = {}  # id(entry) -> (rule, why): entries live as long as the profile
    pos = 0
    for lo, hi in ranges:
        for start, end, rows, originals in restorer.scan_tuples(text, lo, hi):
            if start > pos:
                append(text[pos:start])
            spun = text[start:end]
            if len(originals) == 1:
                original = originals[0]
                append(original)
                if original != spun:
                    entry = rows[0]
                    cached = rule_cache.get(id(entry))
                    if cached is None:
                        cached = rule_cache[id(entry)] = (profile.rule(entry), _why(entry))
                    add_change(Change(start, end, spun, original, cached[0], cached[1]))
            else:
                candidates = list(originals) + ([spun] if spun not in originals else [])
                spots.append((len(pieces), Spot(Match(start, end, rows, originals), spun, 0, candidates)))
                append(spun)
            pos = end
    if pos < len(text):
        append(text[pos:])

    if spots:
        ngrams = reference_ngrams(profile_tables_dir(profile))
        words = word_frequencies()
        weights = (float(profile.settings["ngram_weight"]), float(profile.settings["word_weight"]),
                   float(profile.settings["prior_weight"]))
        memo: dict[tuple, dict[str, float]] = {}  # the same neighbourhood scores the same
        scored: list[Change] = []
        # Left to right, so a decided spot is the restored left neighbour of the next one; a
        # second round retries the spots still open, now with decided right neighbours too.
        for _round in (1, 2):
            progress = False
            for index, spot in spots:
                if spot.choice is not None:
                    continue
                left = _neighbour(pieces, index - 1, -1, window)
                right = _neighbour(pieces, index + 1, 1, window)
                key = (left, right, tuple(spot.candidates))
                if key not in memo:
                    memo[key] = {c: candidate_score(c, left, right, ngrams, words, weights) for c in spot.candidates}
                spot.scores = memo[key]
                ranked = sorted(spot.scores.items(), key=lambda kv: -kv[1])
                (best, best_score), (_, second_score) = ranked[0], ranked[1]
                if best_score - second_score < margin:
                    continue
                spot.choice = best
                progress = True
                if best != spot.spun:
                    pieces[index] = best
                    entry = next(r for r in spot.match.rows if r.original == best)
                    why = "scored: " + " > ".join(f"{c}{'(keep)' if c == spot.spun else ''} {v:.2f}" for c, v in ranked) \
                        + f" (margin {margin:g}; neighbours {left}_{right})"
                    scored.append(Change(spot.match.start, spot.match.end, spot.spun, best, profile.rule(entry), why))
            if not progress:
                break
        if scored:
            changes = sorted(changes + scored, key=attrgetter("start"))
    return "".join(pieces), changes, [s for _, s in spots]


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


def _chunks(paragraphs: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Consecutive restored lines merged into (start, end) spans."""
    ranges: list[tuple[int, int]] = []
    for p in paragraphs:
        if not p["restore"]:
            continue
        if ranges and ranges[-1][1] + 1 == p["start"]:
            ranges[-1] = (ranges[-1][0], p["end"])
        else:
            ranges.append((p["start"], p["end"]))
    return ranges


def run(text: str, config: Config, facts: Mapping[str, Any]) -> StageResult:
    if not text:
        return StageResult(text)
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
    paragraphs = best.paragraphs or _paragraphs(text, best)
    ranges = _chunks(paragraphs)
    with _gc_paused(len(text) > GC_PAUSE_CHARS):
        new_text, changes, spots = restore(text, profile, ranges)

    # metadata read from the text before this stage (the title in 《…》) is spun like the text
    metadata_restored = {}
    for key, value in facts.get("metadata", {}).items():
        if isinstance(value, str) and profile.scanner.any_tell(value):
            restored_value = restore(value, profile, [(0, len(value))])[0]
            if restored_value != value:
                metadata_restored[key] = restored_value

    unresolved = [s for s in spots if s.choice is None]
    restored_lines = [p["line"] for p in paragraphs if p["restore"]]
    # tells still standing after restoration are table gaps: say which
    residual = Counter()
    if new_text != text:
        after = profile.scanner.counts(new_text)
        residual = Counter({f: c for f, c in after.items() if profile.scanner.tells[f].kind == "tell"})
    data = {"despin": {
        "spun": True, "profile": profile.name, "score": round(best.score, 2), "threshold": best.threshold,
        "profiles": {v.profile.name: v.to_dict() for v in seen},
        "paragraphs": text.count("\n") + (not text.endswith("\n")), "paragraphs_restored": restored_lines,
        # lines near the spun text that were left (an unspun headline, a date line)
        "paragraphs_kept": [p["line"] for p in paragraphs if not p["restore"]],
        "substitutions": len(changes),
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
    summary = (f"restored {len(changes)} spun word(s) in {len(restored_lines)} of {data['despin']['paragraphs']} paragraphs "
               f"(profile {profile.name}, score {best.score:.1f} ≥ {best.threshold:g})")
    if unresolved:
        summary += f"; {len(unresolved)} ambiguous spot(s) left for an editor"
    return StageResult(new_text, tuple(changes), tuple(warnings), data, summary)
