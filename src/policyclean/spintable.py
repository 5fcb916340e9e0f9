"""The de-spin correction tables: loading, validation, and the compiled matchers.

A *profile* is one spinner family: a folder ``corrections/despin/<profile>/`` with
``table.tsv`` (spun form -> original), ``tells.tsv`` (detection forms) and
``settings.tsv`` (thresholds). The format is described for editors in
``corrections/README.md``; this module is its only reader.

Matching semantics (the restorer) — one left-to-right pass, like the spinner:
at each position the *eligible* rows are the approved rows whose ``spun`` starts
there and whose ``left``/``right`` context stands around it in the input (contexts
are looked at, never consumed); the longest eligible ``spun`` wins, the scan goes on
after it. Among eligible rows of the winning form, rows with the longest context win.
:meth:`Restorer.scan` implements this with one leftmost-longest Aho-Corasick pass
and a local fallback only where a contextual key turned out ineligible.
"""

from __future__ import annotations

import math
import re
import os
import threading
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, compress, count, groupby, repeat
from operator import and_, is_, itemgetter, rshift, sub, truediv
from pathlib import Path
from typing import Any, Iterable, Sequence

import ahocorasick_rs

from .data import read_tsv, tables_dir
from .errors import TableError

TABLE_COLUMNS = ("spun", "original", "left", "right", "kind", "status", "evidence", "note")
TELLS_COLUMNS = ("form", "weight", "kind", "note")
SETTINGS_COLUMNS = ("name", "value", "note")
KINDS = ("phrase", "word", "char", "protect")
STATUSES = ("approved", "proposed", "rejected")
TELL_KINDS = ("tell", "anti", "except")
REFERENCE_DIR = "reference"

# Defaults when a profile's settings.tsv does not name a setting (documented in corrections/README.md).
DEFAULT_SETTINGS: dict[str, float] = {
    "threshold": 2.0,
    "paragraph_threshold": 0.0,
    "min_tells": 3,
    "margin": 0.3,
    "window": 4,
    "window_chars": 4000,
    "ngram_weight": 1.0,
    "word_weight": 0.2,
    "prior_weight": 0.6,
}


# ----------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class Entry:
    """One row of a table.tsv."""

    spun: str
    original: str
    left: str
    right: str
    kind: str
    status: str
    evidence: str
    note: str
    path: Path
    line: int

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"

    @property
    def context_len(self) -> int:
        return len(self.left) + len(self.right)

    def label(self) -> str:
        ctx = f"{self.left}[{self.spun}]{self.right}" if self.context_len else self.spun
        return f"{ctx}→{self.original}"


@dataclass(frozen=True)
class Tell:
    form: str
    weight: float
    kind: str  # tell | anti | except
    note: str
    line: int


@dataclass(frozen=True)
class Problem:
    """Something lint reports: ``where`` is file:line."""

    where: str
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"


def _row_problems_table(cells: dict[str, str], where: str) -> list[Problem]:
    problems = []
    spun, original, kind, status = cells.get("spun", ""), cells.get("original", ""), cells.get("kind", ""), cells.get("status", "")
    if not spun:
        problems.append(Problem(where, "empty 'spun' cell"))
    if not original:
        problems.append(Problem(where, "empty 'original' cell"))
    if kind not in KINDS:
        problems.append(Problem(where, f"kind {kind!r} is not one of {', '.join(KINDS)}"))
    if status not in STATUSES:
        problems.append(Problem(where, f"status {status!r} is not one of {', '.join(STATUSES)}"))
    if kind == "protect" and spun and original and spun != original:
        problems.append(Problem(where, f"protect row must have original == spun ({spun} ≠ {original})"))
    if kind == "char" and len(spun) != 1:
        problems.append(Problem(where, f"kind 'char' but spun {spun!r} is {len(spun)} characters", "warning"))
    return problems


def parse_table(path: Path) -> tuple[list[Entry], list[Problem]]:
    """All rows of a table.tsv (any status) and the format problems found (file:line)."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for row in read_tsv(path, required=("spun", "original")):
        where = f"{path}:{row.line}"
        found = _row_problems_table(row.cells, where)
        problems.extend(found)
        if any(p.severity == "error" for p in found):
            continue
        entries.append(Entry(row["spun"], row["original"], row["left"], row["right"], row["kind"],
                             row["status"], row["evidence"], row["note"], path, row.line))
    return entries, problems


def parse_tells(path: Path) -> tuple[list[Tell], list[Problem]]:
    tells: list[Tell] = []
    problems: list[Problem] = []
    if not path.is_file():
        return tells, [Problem(str(path), "tells.tsv missing: the gate never finds this profile, so its table is never used", "warning")]
    for row in read_tsv(path, required=("form", "kind")):
        where = f"{path}:{row.line}"
        kind = row["kind"]
        if not row["form"]:
            problems.append(Problem(where, "empty 'form' cell"))
            continue
        if kind not in TELL_KINDS:
            problems.append(Problem(where, f"kind {kind!r} is not one of {', '.join(TELL_KINDS)}"))
            continue
        try:
            weight = float(row["weight"] or 1.0)
        except ValueError:
            problems.append(Problem(where, f"weight {row['weight']!r} is not a number"))
            continue
        if weight < 0:
            problems.append(Problem(where, "weight must not be negative (use kind 'anti' for evidence against)"))
            continue
        tells.append(Tell(row["form"], 0.0 if kind == "except" else weight, kind, row["note"], row.line))
    return tells, problems


def parse_settings(path: Path) -> tuple[dict[str, float], list[Problem]]:
    settings = dict(DEFAULT_SETTINGS)
    problems: list[Problem] = []
    if not path.is_file():
        return settings, problems
    for row in read_tsv(path, required=("name", "value")):
        where = f"{path}:{row.line}"
        name = row["name"]
        if name not in DEFAULT_SETTINGS:
            problems.append(Problem(where, f"unknown setting {name!r}; known: {', '.join(DEFAULT_SETTINGS)}", "warning"))
            continue
        try:
            settings[name] = float(row["value"])
        except ValueError:
            problems.append(Problem(where, f"value {row['value']!r} of {name} is not a number"))
    return settings, problems


# ----------------------------------------------------------------------------- the restorer


class Match:
    """The winner at one place: ``spun`` at ``start:end``, the eligible rows of that form and
    their distinct originals (in table order)."""

    __slots__ = ("start", "end", "rows", "originals")

    def __init__(self, start: int, end: int, rows: tuple, originals: tuple | None = None):
        self.start, self.end, self.rows = start, end, rows
        self.originals = originals if originals is not None else _originals(rows)

    def __repr__(self) -> str:
        return f"Match({self.start}, {self.end}, {list(self.originals)})"


def _originals(rows: Iterable[Entry]) -> tuple[str, ...]:
    seen: list[str] = []
    for r in rows:
        if r.original not in seen:
            seen.append(r.original)
    return tuple(seen)


DFA_MAX_PATTERN_BYTES = 20_000  # above this, the matchers' DFA (a table row per pattern byte) would be large


def _implementation(patterns: Sequence[str | bytes]) -> Any:
    """The DFA, the fastest matcher of ahocorasick_rs, while the patterns are few (its table
    grows with them); else the library's own choice. The matches are the same either way."""
    size = sum(len(p.encode("utf-8") if isinstance(p, str) else p) for p in patterns)
    return ahocorasick_rs.Implementation.DFA if size <= DFA_MAX_PATTERN_BYTES else None


def _automaton(patterns: Sequence[str]) -> ahocorasick_rs.AhoCorasick | None:
    """A leftmost-longest matcher of ``patterns`` (None when there are none)."""
    if not patterns:
        return None
    return ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
                                      implementation=_implementation(patterns))


class _KeyContexts:
    """The rows of one contextual key, arranged for the eligibility test.

    ``checks``: per context shape, longest first, (total, left, right lengths, the ids of the
    contexts of that shape by their whole string left + key + right); ``by_ctx``: rows by
    (left, right); ``free``: the context-free rows. ``outcomes`` maps the ids of the deciding
    contexts to the outcome id, filled on first use.
    """

    __slots__ = ("by_ctx", "checks", "contexts", "free", "free_outcome", "key", "levels", "outcomes")

    def __init__(self, restorer: Restorer, key: str):
        self.key = key
        by_ctx: dict[tuple[str, str], list[Entry]] = {}
        for r in restorer.rows[key]:
            by_ctx.setdefault((r.left, r.right), []).append(r)
        self.by_ctx = by_ctx
        self.free = tuple(by_ctx.get(("", ""), ()))
        self.contexts = [c for c in by_ctx if c != ("", "")]
        shapes = sorted({(len(l) + len(r), len(l), len(r)) for l, r in self.contexts}, reverse=True)
        self.checks = [(total, ll, rl, {l + key + r: i for i, (l, r) in enumerate(self.contexts) if (len(l), len(r)) == (ll, rl)})
                       for total, ll, rl in shapes]
        # the checks by total context length, longest first, as (left length, end of the context
        # counted from the key's start, ids): the shapes of one level are tried together
        self.levels = tuple(tuple((ll, len(key) + rl, ids) for _total, ll, rl, ids in level)
                            for _, level in groupby(self.checks, key=itemgetter(0)))
        self.outcomes = _ContextOutcomes(restorer, self)
        self.free_outcome = restorer._outcome_of(self, ())

    def outcome_at(self, text: str, start: int, lo: int, hi: int) -> int | None:
        """:meth:`Restorer.eligible_outcome` of this key at ``start``: the contexts of the longest
        total length that hold inside ``text[lo:hi]`` pool their rows; none: the context-free rows."""
        for level in self.levels:
            held = None
            for ll, reach, ids in level:
                left, right = start - ll, start + reach
                if left < lo or right > hi:
                    continue  # the context would cross the range's edge: it does not hold
                cid = ids.get(text[left:right])
                if cid is not None:
                    held = (cid,) if held is None else held + (cid,)
            if held is not None:
                return self.outcomes[held]
        return self.free_outcome


class _ContextOutcomes(dict):
    """The ids of the deciding contexts -> outcome id, worked out on first sight."""

    def __init__(self, restorer: Restorer, contexts: _KeyContexts):
        super().__init__()
        self.restorer, self.contexts = restorer, contexts

    def __missing__(self, held: tuple[int, ...]) -> int | None:
        oid = self[held] = self.restorer._outcome_of(self.contexts, held)
        return oid


class Restorer:
    """Approved rows compiled into one leftmost-longest Aho-Corasick automaton over the spun forms.

    What a winning match stands for is an *outcome*: a shared tuple of eligible rows, named by
    a small int (:meth:`outcome`). A context-free key's outcome is its automaton pattern
    index; a contextual key gets one outcome id per set of rows whose context can hold together
    (numbered on first use). Callers work out what they need per outcome once and then map
    the ids of hundreds of thousands of matches at C level.
    """

    def __init__(self, entries: Iterable[Entry]):
        by_key: dict[str, list[Entry]] = {}
        for e in entries:
            if e.status == "approved":
                by_key.setdefault(e.spun, []).append(e)
        self.keys: list[str] = sorted(by_key)
        self.rows: dict[str, tuple[Entry, ...]] = {k: tuple(v) for k, v in by_key.items()}
        # keys whose rows all lack context: eligibility is a dict lookup, no context test
        self.free: dict[str, tuple[Entry, ...]] = {k: v for k, v in self.rows.items() if not any(e.context_len for e in v)}
        self.free_originals = {k: _originals(v) for k, v in self.free.items()}
        self.lengths = sorted({len(k) for k in self.keys}, reverse=True)
        self.index_of = {k: i for i, k in enumerate(self.keys)}
        # per automaton pattern index: must the key's context be tested (a plain list, for map())
        self.contextual = [k not in self.free for k in self.keys]
        # outcome id -> (key, eligible rows, their originals); ids < len(keys) are pattern indexes
        # (unused for contextual keys), later ones are the contextual row sets met so far
        self._outcomes: list[tuple[str, tuple[Entry, ...], tuple[str, ...]] | None] = [
            (k, self.free[k], self.free_originals[k]) if k in self.free else None for k in self.keys]
        self._outcome_ids: dict[tuple, int] = {}  # (key, ids of the deciding contexts) -> outcome id
        self._lock = threading.Lock()  # only taken when a new contextual outcome is numbered
        self._ctx: dict[str, _KeyContexts] = {k: _KeyContexts(self, k) for k in self.keys if k not in self.free}
        self._ctx_of_pattern = [self._ctx.get(k) for k in self.keys]  # by automaton pattern index, for map()
        self.ac = _automaton(self.keys)

    def outcome(self, oid: int) -> tuple[str, tuple[Entry, ...], tuple[str, ...]]:
        """(key, eligible rows, their distinct originals in table order) of outcome ``oid``."""
        return self._outcomes[oid]

    def _outcome_of(self, contexts: _KeyContexts, held: tuple[int, ...]) -> int | None:
        """The outcome id of a contextual key whose deciding contexts are ``held`` (none: the
        context-free rows, if any); None when that leaves no row."""
        signature = (contexts.key, held)
        oid = self._outcome_ids.get(signature)
        if oid is None:
            rows = tuple(r for i in held for r in contexts.by_ctx[contexts.contexts[i]]) if held else contexts.free
            if not rows:
                return None
            with self._lock:
                oid = self._outcome_ids.get(signature)
                if oid is None:
                    self._outcomes.append((contexts.key, rows, _originals(rows)))
                    oid = self._outcome_ids[signature] = len(self._outcomes) - 1
        return oid

    def eligible_outcome(self, text: str, start: int, key: str, lo: int, hi: int) -> int | None:
        """The outcome id of ``key`` standing at ``start`` (see :meth:`eligible`); None when no row is eligible."""
        contexts = self._ctx.get(key)
        if contexts is None:
            return self.index_of[key]
        return contexts.outcome_at(text, start, lo, hi)

    def eligible(self, text: str, start: int, key: str, lo: int, hi: int) -> tuple[Entry, ...]:
        """Rows of ``key`` (standing at ``start``) whose context holds inside ``text[lo:hi]``:
        those with the longest holding context, else the context-free rows."""
        oid = self.eligible_outcome(text, start, key, lo, hi)
        return () if oid is None else self._outcomes[oid][1]

    def scan(self, text: str, lo: int = 0, hi: int | None = None) -> list[Match]:
        """The winning matches in ``text[lo:hi]``, left to right, non-overlapping."""
        return [Match(*t) for t in self.scan_tuples(text, lo, hi)]

    def scan_tuples(self, text: str, lo: int = 0, hi: int | None = None) -> list[tuple]:
        """:meth:`scan` as plain ``(start, end, rows, originals)`` tuples."""
        starts, ends, oids = self.scan_ranges(text, [(lo, len(text) if hi is None else hi)])
        return [(s, e, *self._outcomes[o][1:]) for s, e, o in zip(starts, ends, oids)]

    def scan_ranges(self, text: str, ranges: Sequence[tuple[int, int]]) -> tuple[list[int], list[int], list[int]]:
        """:meth:`scan` of each ``text[lo:hi]`` of ``ranges`` (ascending, not overlapping), as
        three parallel lists: starts, ends and outcome ids (the fast path of the stage).

        Context-free winners are the automaton's matches as they are (their outcome id is the
        pattern index) and are copied a run at a time; only the matches of contextual keys are
        looked at one by one.
        """
        if self.ac is None:
            return [], [], []
        pis: list[int] = []
        starts: list[int] = []
        ends: list[int] = []
        firsts: list[int] = []  # the index of each range's first match
        for lo, hi in ranges:
            firsts.append(len(pis))
            found = self.ac.find_matches_as_indexes(text[lo:hi] if (lo or hi != len(text)) else text)
            if found:
                found_pis, found_starts, found_ends = zip(*found)
                pis += found_pis
                starts += map(lo.__add__, found_starts)
                ends += map(lo.__add__, found_ends)
        contextual = list(compress(count(), map(self.contextual.__getitem__, pis)))
        if not contextual:
            return starts, ends, pis
        # the outcome of each contextual match, tested inside its own range: bisect_right(firsts, i)
        # is one past the match's range, so the bounds lists start with a placeholder
        in_range = list(map(bisect_right, repeat(firsts), contextual))
        range_los = [0, *map(itemgetter(0), ranges)]
        range_his = [0, *map(itemgetter(1), ranges)]
        context_oids = list(map(_KeyContexts.outcome_at, map(self._ctx_of_pattern.__getitem__, map(pis.__getitem__, contextual)),
                                repeat(text), map(starts.__getitem__, contextual),
                                map(range_los.__getitem__, in_range), map(range_his.__getitem__, in_range)))
        for i, oid in zip(contextual, context_oids):
            pis[i] = oid  # the contextual winners take the id of their outcome
        if None not in context_oids:
            return starts, ends, pis  # the usual case: every winner stands
        # Where no row of the longest key is eligible, the exact rule goes on position by
        # position; the automaton's matches before and after such a place stay as they are.
        out_starts: list[int] = []
        out_ends: list[int] = []
        out_ids: list[int] = []
        done = 0  # the automaton matches before this index are handled
        for i in compress(contextual, map(is_, context_oids, repeat(None))):
            if i < done:
                continue  # passed over by a fallback
            out_starts += starts[done:i]
            out_ends += ends[done:i]
            out_ids += pis[done:i]
            lo, hi = ranges[bisect_right(firsts, i) - 1]
            done = self._fallback(text, starts, ends, i, lo, hi, out_starts, out_ends, out_ids)
        out_starts += starts[done:]
        out_ends += ends[done:]
        out_ids += pis[done:]
        return out_starts, out_ends, out_ids

    def _fallback(self, text: str, starts: list[int], ends: list[int], i: int, lo: int, hi: int,
                  out_starts: list[int], out_ends: list[int], out_ids: list[int]) -> int:
        """The longest key at automaton match ``i`` is contextual and its context does not hold:
        apply the exact per-position rule until we land on the start of a later automaton match
        (from there on its leftmost-longest matches are the reference's again). Returns the
        index of that match (or ``len(starts)``)."""
        n = len(starts)
        p = starts[i]
        i += 1
        while True:
            while i < n and starts[i] < p:
                i += 1
            if i < n and starts[i] == p:
                return i
            if p >= ends[i - 1]:
                # no key starts in [p, next automaton match): the automaton saw this gap
                if i >= n:
                    return i
                p = starts[i]
                continue
            hit = self._longest_at(text, p, lo, hi)
            if hit:
                out_starts.append(p)
                out_ends.append(hit[0])
                out_ids.append(hit[1])
                p = hit[0]
            else:
                p += 1

    def _longest_at(self, text: str, p: int, lo: int, hi: int) -> tuple[int, int] | None:
        """(end, outcome id) of the longest eligible key at ``p``."""
        for length in self.lengths:
            if p + length > hi:
                continue
            key = text[p:p + length]
            if key in self.rows:
                oid = self.eligible_outcome(text, p, key, lo, hi)
                if oid is not None:
                    return p + length, oid
        return None


# ----------------------------------------------------------------------------- the gate


TELL_GROUP = 16  # tells per automaton of TellScanner.any_tell


def _exactly_summable(weight: float) -> bool:
    """Sums of such weights are exact in floating point whatever the order (multiples of 1/1024
    up to 1000: even a billion matches stay far below 2**53 units), so a per-line sum can be
    taken as a difference of running sums in match order."""
    return 0 <= weight <= 1000 and (weight * 1024).is_integer()


_FIELD_BITS = 64  # room for 2**44 matches of the largest weight (1000 = 1 024 000 units) in one sum
_FIELD_MASK = (1 << _FIELD_BITS) - 1


def _pack_evidence(tell_weight: float, anti_weight: float, is_tell: int, is_anti: int) -> int:
    """A match's (tell weight, anti weight, tell count, anti count) as one int of four fields,
    weights in units of 1/1024 (exact for :func:`_exactly_summable` weights): a sum of such ints
    is the four sums side by side, so one running sum serves all four."""
    units = (int(tell_weight * 1024), int(anti_weight * 1024), is_tell, is_anti)
    return (units[0] << 3 * _FIELD_BITS) | (units[1] << 2 * _FIELD_BITS) | (units[2] << _FIELD_BITS) | units[3]


class TellScanner:
    """Scores text with a profile's tells (+weight) and anti-tells (−weight), leftmost-longest."""

    def __init__(self, tells: Sequence[Tell]):
        self.tells = {t.form: t for t in tells}
        forms = sorted(self.tells)
        self.forms = forms
        self.signed = {t.form: (t.weight if t.kind == "tell" else -t.weight if t.kind == "anti" else 0.0) for t in tells}
        self.all_ac = _automaton(forms)
        tell_forms = sorted(t.form for t in tells if t.kind == "tell")
        self.tell_ac = _automaton(tell_forms)
        # For the cheap exit, the tells in small groups: a matcher of a few patterns skips ahead
        # with a SIMD prefilter, so the groups together scan clean Chinese text faster than one
        # automaton of all the tells (≈0.013 s against 0.022 s for 10 MB of it); "is there any
        # tell" is "does any group match".
        self.tell_groups = [_automaton(tell_forms[i:i + TELL_GROUP]) for i in range(0, len(tell_forms), TELL_GROUP)]
        # the same over UTF-8 bytes: byte offsets come without a walk over the whole text
        tell_bytes = sorted(t.form.encode("utf-8") for t in tells if t.kind == "tell")
        self.tell_bytes_ac = ahocorasick_rs.BytesAhoCorasick(
            tell_bytes, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
            implementation=_implementation(tell_bytes)) if tell_bytes else None
        # per pattern index of all_ac (plain lists, for map()): weight and count of each kind
        kinds = [self.tells[f].kind for f in forms]
        weights = [self.tells[f].weight for f in forms]
        self.tell_weight = [w if k == "tell" else 0.0 for k, w in zip(kinds, weights)]
        self.anti_weight = [w if k == "anti" else 0.0 for k, w in zip(kinds, weights)]
        self.is_tell = [int(k == "tell") for k in kinds]
        self.is_anti = [int(k == "anti") for k in kinds]
        self.exact_sums = all(map(_exactly_summable, weights))
        self.packed = list(map(_pack_evidence, self.tell_weight, self.anti_weight, self.is_tell, self.is_anti)) \
            if self.exact_sums else []

    def any_tell(self, text: str) -> bool:
        """The cheap first look: does any tell occur at all (the matches as strings, because
        their character offsets would cost a second walk over the text)."""
        return any(group.find_matches_as_strings(text) for group in self.tell_groups)

    def tell_matches_utf8(self, data: bytes) -> list[tuple[int, int, int]]:
        """The tells' leftmost-longest matches in ``data`` (UTF-8): (pattern, start, end), byte offsets."""
        return self.tell_bytes_ac.find_matches_as_indexes(data) if self.tell_bytes_ac else []

    def counts(self, text: str) -> Counter:
        if self.all_ac is None:
            return Counter()
        return Counter(self.all_ac.find_matches_as_strings(text))

    def evidence(self, counts: Counter) -> tuple[float, float, int, int]:
        """(tell weight, anti weight, tell count, anti count) of a Counter of forms."""
        tw = aw = 0.0
        tc = ac = 0
        for form, c in counts.items():
            t = self.tells[form]
            if t.kind == "tell":
                tw += t.weight * c
                tc += c
            elif t.kind == "anti":
                aw += t.weight * c
                ac += c
        return tw, aw, tc, ac

    def per_line(self, text: str, line_starts: list[int]) -> list[Counter]:
        """A Counter of forms for each line (``line_starts`` = offsets where lines begin)."""
        result = [Counter() for _ in line_starts]
        if self.all_ac is None:
            return result
        for form, s in ((self.forms[pi], s) for pi, s, _ in self.all_ac.find_matches_as_indexes(text)):
            result[bisect_left(line_starts, s + 1) - 1][form] += 1
        return result

    def line_evidence(self, text: str, line_starts: list[int]) -> tuple[list[float], list[float], list[int], list[int]]:
        """Per line (``line_starts`` = offsets where lines begin, the first 0): tell weight, anti
        weight, tell count and anti count, as four lists; the values :meth:`evidence` gives
        for the line's :meth:`per_line` Counter."""
        if not self.exact_sums:
            by_line = [self.evidence(counts) for counts in self.per_line(text, line_starts)]
            return ([e[0] for e in by_line], [e[1] for e in by_line], [e[2] for e in by_line], [e[3] for e in by_line])
        found = self.all_ac.find_matches_as_indexes(text) if self.all_ac else []
        if not found:
            zeros = [0] * len(line_starts)
            return [0.0] * len(line_starts), [0.0] * len(line_starts), zeros, zeros[:]
        pis, match_starts, _ = zip(*found)
        # the matches before each line start, and all of them at the end: a line's matches are
        # bounds[i]:bounds[i + 1], so its sums are differences of running sums over the matches
        bounds = list(map(bisect_left, repeat(match_starts), line_starts))
        bounds.append(len(pis))
        # the four sums in one running sum of packed ints (see _pack_evidence), taken apart per line
        running = list(accumulate(map(self.packed.__getitem__, pis), initial=0))
        at_bounds = list(map(running.__getitem__, bounds))
        per_line = list(map(sub, at_bounds[1:], at_bounds))
        field = [list(map(and_, map(rshift, per_line, repeat(shift)), repeat(_FIELD_MASK)))
                 for shift in (3 * _FIELD_BITS, 2 * _FIELD_BITS, _FIELD_BITS, 0)]
        # weights back from 1/1024 units: exact, the same floats as summing the weights
        return (list(map(truediv, field[0], repeat(1024.0))), list(map(truediv, field[1], repeat(1024.0))),
                field[2], field[3])


def density(tell_weight: float, anti_weight: float, han: int) -> float:
    """Score per 100 Han characters (digits, Latin and punctuation do not dilute it)."""
    return (tell_weight - anti_weight) * 100.0 / max(han, 1)


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Counting Han characters without a regex match per character: in UTF-16 the high byte of a
# code unit says whether it is Han (U+3400–4DBF, 4E00–9FFF, F900–FAFF), except 0x4D, which also
# holds the non-Han U+4DC0–4DFF; texts with a 0x4D high byte (rare) are counted by the regex.
_HAN_HIGH = frozenset(range(0x34, 0xA0)) | {0xF9, 0xFA}
_NOT_HAN_HIGH = bytes(b for b in range(256) if b not in _HAN_HIGH)
_HAN_HIGH_FLAG = bytes(int(b in _HAN_HIGH) for b in range(256))  # translate table: 1 for Han, 0 else


def _high_bytes(text: str) -> bytes:
    """The high byte of each UTF-16 code unit of ``text`` (lone surrogates pass as themselves)."""
    return text.encode("utf-16-le", "surrogatepass")[1::2]


def without_han(text: str) -> str:
    return _HAN.sub("", text)


def han_count(text: str) -> int:
    high = _high_bytes(text)
    if b"\x4d" in high:
        return len(text) - len(without_han(text))
    return len(high.translate(None, _NOT_HAN_HIGH))


def han_per_line(text: str, starts: Sequence[int], ends: Sequence[int]) -> list[int]:
    """The Han characters of each ``text[start:end]``."""
    high = _high_bytes(text)
    if len(high) != len(text) or b"\x4d" in high:
        # characters beyond U+FFFF take two code units (offsets differ), or U+4Dxx: the regex
        return [end - start - len(without_han(text[start:end])) for start, end in zip(starts, ends)]
    flags = high.translate(_HAN_HIGH_FLAG)
    return list(map(flags.count, repeat(1), starts, ends))


# ----------------------------------------------------------------------------- profiles


@dataclass
class Profile:
    name: str
    folder: Path
    entries: list[Entry]
    tells: list[Tell]
    settings: dict[str, float]
    problems: list[Problem] = field(default_factory=list)
    _restorer: Restorer | None = None
    _scanner: TellScanner | None = None

    @property
    def table_path(self) -> Path:
        return self.folder / "table.tsv"

    @property
    def restorer(self) -> Restorer:
        if self._restorer is None:
            self._restorer = Restorer(self.entries)
        return self._restorer

    @property
    def scanner(self) -> TellScanner:
        if self._scanner is None:
            self._scanner = TellScanner(self.tells)
        return self._scanner

    def rule(self, entry: Entry) -> str:
        return f"despin/{self.name}/table.tsv:{entry.line}"


def despin_dir(override: str | None = None) -> Path:
    return tables_dir(override) / "despin"


def profile_names(override: str | None = None) -> list[str]:
    root = despin_dir(override)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "table.tsv").is_file())


@lru_cache(maxsize=64)
def _profile_files(folder: str | Path) -> tuple[str, ...]:
    """The paths of a profile's three files, as plain strings (os.stat on them needs no pathlib)."""
    return tuple(os.path.join(folder, name) for name in ("table.tsv", "tells.tsv", "settings.tsv"))


def _stamp(folder: str | Path) -> tuple:
    stamps = []
    for path in _profile_files(folder):
        try:
            st = os.stat(path)
            stamps.append((st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            stamps.append(None)
    return tuple(stamps)


def load_profile(folder: Path, strict: bool = True) -> Profile:
    """The profile in ``folder``, cached per process until one of its files changes.

    ``strict``: raise :class:`TableError` (with file:line) on a format error; lint passes False.
    """
    return _load_resolved(str(Path(folder).resolve()), strict)


def _load_resolved(folder: str, strict: bool) -> Profile:
    """:func:`load_profile` of an already resolved folder."""
    profile = _load_profile_cached(folder, _stamp(folder))
    if strict:
        errors = [p for p in profile.problems if p.severity == "error"]
        if errors:
            more = f" (and {len(errors) - 1} more; run 'policyclean table lint')" if len(errors) > 1 else ""
            raise TableError(f"{errors[0]}{more}")
    return profile


@lru_cache(maxsize=16)
def _load_profile_cached(folder: str, stamp: tuple) -> Profile:
    path = Path(folder)
    entries, problems = parse_table(path / "table.tsv")
    tells, tell_problems = parse_tells(path / "tells.tsv")
    settings, setting_problems = parse_settings(path / "settings.tsv")
    return Profile(path.name, path, entries, tells, settings, problems + tell_problems + setting_problems)


@dataclass(frozen=True)
class _Listing:
    """The profiles of one despin directory as listed at ``stamp`` (see :func:`_listing`)."""

    root: str
    subdirs: tuple[str, ...]  # every folder in root, profile or not
    stamp: tuple | None  # modification times of root and its subdirs (None: do not reuse)
    names: list[str]
    folders: dict[str, str]  # profile name -> resolved folder


_LISTINGS: dict[tuple, _Listing] = {}  # (tables_dir override, POLICYCLEAN_TABLES, cwd) -> the last listing


def _dir_stamp(root: str, subdirs: Sequence[str]) -> tuple | None:
    try:
        return (os.stat(root).st_mtime_ns, *(os.stat(d).st_mtime_ns for d in subdirs))
    except OSError:
        return None


def _listing(override: str | None) -> _Listing:
    """The profile names and folders of the configured despin directory, listed again only when
    it changed: a folder added, removed or renamed changes the directory's modification time, a
    table.tsv added or removed changes its folder's. (Edits of a profile's files are picked up
    by the stamp of :func:`load_profile`.) Per document this costs a few os.stat calls, not a
    directory listing and pathlib work."""
    key = (override, os.environ.get("POLICYCLEAN_TABLES"), os.getcwd())  # the cwd: for a relative path
    known = _LISTINGS.get(key)
    if known is not None and known.stamp is not None and _dir_stamp(known.root, known.subdirs) == known.stamp:
        return known
    root = despin_dir(override)  # raises, as before, when an override names no directory
    root_str = str(root)
    try:
        subdirs = tuple(sorted(e.path for e in os.scandir(root_str) if e.is_dir()))
    except OSError:
        subdirs = ()
    stamp = _dir_stamp(root_str, subdirs)  # taken before listing: a change while listing shows next time
    names = profile_names(override)
    listing = _Listing(root_str, subdirs, stamp, names, {n: str((root / n).resolve()) for n in names})
    _LISTINGS[key] = listing
    return listing


def load_profiles(config: Any = None, names: Sequence[str] = (), strict: bool = True) -> list[Profile]:
    """The profiles ``names`` (or ``config.despin_profiles``, or all) from the configured tables."""
    override = getattr(config, "tables_dir", None)
    wanted = list(names) or list(getattr(config, "despin_profiles", ()) or ())
    listing = _listing(override)
    available = listing.names
    if not wanted:
        wanted = available
    missing = [n for n in wanted if n not in available]
    if missing:
        raise TableError(f"{despin_dir(override)}: no despin profile {', '.join(missing)}; "
                         f"available: {', '.join(available) or 'none'}")
    return [_load_resolved(listing.folders[n], strict) for n in wanted]


# ----------------------------------------------------------------------------- the scorer's evidence


@lru_cache(maxsize=4)
def _reference_text(folder: str, stamp: tuple) -> str:
    parts = []
    for p in sorted(Path(folder).glob("*.txt")):
        parts.append(p.read_text(encoding="utf-8"))
    return "\n".join(parts)


def reference_text(override: str | None = None) -> str:
    """The clean reference texts of ``despin/reference/`` joined by newlines ('' when absent)."""
    folder = despin_dir(override) / REFERENCE_DIR
    if not folder.is_dir():
        return ""
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.txt")))
    return _reference_text(str(folder.resolve()), stamp)


@lru_cache(maxsize=4)
def _ngram_counts(text: str) -> Counter:
    counts: Counter = Counter()
    for n in (1, 2, 3, 4):
        counts.update(map("".join, zip(*(text[i:] for i in range(n)))))
    return counts


def reference_ngrams(override: str | None = None) -> Counter:
    """Character 1- to 4-gram counts of the reference texts (built lazily once)."""
    return _ngram_counts(reference_text(override))


@lru_cache(maxsize=1)
def word_frequencies() -> dict[str, int]:
    """jieba's dictionary (word -> frequency), loaded only when an ambiguous spot needs it."""
    try:
        import importlib.util
        spec = importlib.util.find_spec("jieba")
    except (ImportError, ValueError):
        return {}
    if spec is None or not spec.origin:
        return {}
    path = Path(spec.origin).parent / "dict.txt"
    freqs: dict[str, int] = {}
    try:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                parts = line.split(" ", 2)
                if len(parts) >= 2 and parts[1].isdigit():
                    freqs[parts[0]] = int(parts[1])
    except OSError:
        return {}
    return freqs


def candidate_score(candidate: str, left: str, right: str, ngrams: Counter, words: dict[str, int],
                    weights: tuple[float, float, float] = (1.0, 0.2, 0.6)) -> float:
    """How well ``candidate`` fits between its restored neighbours (higher is better).

    ``weights`` = (ngram, word, prior):
    - fit: for every 2- to 4-character string of ``left+candidate+right`` that crosses an
      edge of the candidate, ngram·log(1+count in the reference texts) + word·log(1+jieba
      frequency) — in-domain evidence first, general word knowledge second;
    - prior: prior·(log(1+jieba frequency) + log(1+reference count)) of the candidate itself.
    Strings wholly inside the neighbours are the same for every candidate and left out.
    The weights were chosen on the leave-one-out self-check (bench/despin_selfcheck.py).
    """
    ngram_w, word_w, prior_w = weights
    w = left + candidate + right
    a, b = len(left), len(left) + len(candidate)
    total = 0.0
    for n in (2, 3, 4):
        for i in range(max(0, a - n + 1), min(b, len(w) - n + 1)):
            if a <= i and i + n <= b:
                continue  # inside the candidate: counted once, in the prior
            g = w[i:i + n]
            total += ngram_w * math.log1p(ngrams.get(g, 0)) + word_w * math.log1p(words.get(g, 0))
    return total + prior_w * (math.log1p(words.get(candidate, 0)) + math.log1p(ngrams.get(candidate, 0)))


# ----------------------------------------------------------------------------- the forward direction


class Spinner:
    """A simulated spinner: the approved, context-free rows read backwards (original → spun),
    applied like the real one in one leftmost-longest pass. For self-checks and tests only.

    When several rows share an original, the first row in the table is used; protect rows
    and rows with context are left out (the spinner has no context)."""

    def __init__(self, entries: Iterable[Entry]):
        forward: dict[str, str] = {}
        for e in entries:
            if e.status == "approved" and e.kind != "protect" and not e.context_len and e.original != e.spun:
                forward.setdefault(e.original, e.spun)
        self.forward = forward
        self.keys = sorted(forward)
        self.ac = ahocorasick_rs.AhoCorasick(self.keys, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest) if self.keys else None

    def spin(self, text: str) -> str:
        if self.ac is None:
            return text
        pieces, pos = [], 0
        for pi, s, e in self.ac.find_matches_as_indexes(text):
            pieces.append(text[pos:s])
            pieces.append(self.forward[self.keys[pi]])
            pos = e
        pieces.append(text[pos:])
        return "".join(pieces)
