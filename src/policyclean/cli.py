"""The command line: a thin shell over :func:`policyclean.clean`.

Exit codes: 0 ok, 1 ``--check`` found inputs that would change, 2 usage error,
3 some inputs failed (the others were still processed and written).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from . import __version__
from .errors import PolicycleanError
from .model import Config, Result

EXIT_OK, EXIT_CHANGED, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
DEFAULT_INCLUDE = ("*.txt", "*.text", "*.htm", "*.html", "*.md")
PROGRESS_MIN_FILES = 5
# A file this large is a corpus rather than one web page, and cleaning it as one document
# holds about ten times its size in memory (bench/bench.py): say that --stream exists.
LARGE_INPUT_BYTES = 256 * 1024 * 1024

CLEAN_EXAMPLES = """\
examples:
  policyclean clean seeds/004_12ff21ec68cac506.txt          clean one file to stdout
  policyclean clean --explain seeds/003_3f0afe50fd1fbd10.txt  ...and say every step on stderr
  policyclean clean --keep document seeds/000_98647be4b4f94998.txt   only the embedded official text
  policyclean clean -o cleaned/ downloads/                  mirror a folder tree of cleaned files
  policyclean clean --in-place --backup .orig notes/*.txt   replace files (keeping .orig copies)
  policyclean clean --check downloads/                      exit 1 if anything would change
  policyclean clean --diff seeds/002_f98fe54d3787eb79.txt    show what would change
  policyclean clean --report report.jsonl -o out/ in/       a JSON line per input: steps, warnings, metadata
  policyclean clean --placeholder 关键词1=江苏 page.txt       resolve a masked keyword yourself
  cat page.html | policyclean clean -                       HTML is detected and its main text extracted
  policyclean clean --stream -o corpus.clean.txt corpus.txt  a corpus too large to hold, block by block
"""

MAIN_EXAMPLES = """\
commands:
  clean    clean documents (files, folders or stdin) into Simplified Chinese, one paragraph per line
  detect   print encoding, script and spinner score of files without changing them
  table    review and test the correction tables in corrections/ (lint, show, stats, learn, why, review)

examples:
  policyclean clean seeds/004_12ff21ec68cac506.txt
  policyclean detect seeds/*.txt
  policyclean table lint
run 'policyclean COMMAND --help' for the options of a command.
"""


class UsageError(Exception):
    """A command line that cannot be carried out as given."""


# ----------------------------------------------------------------------------- parser

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policyclean",
        description="Clean Chinese policy documents collected from the web, with a report of every change.",
        epilog=MAIN_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"policyclean {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    clean = sub.add_parser(
        "clean", help="clean documents", epilog=CLEAN_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Clean files, folders (walked recursively) or stdin ('-'). "
                    "Without -o or --in-place nothing on disk changes: the text goes to stdout.")
    clean.add_argument("paths", nargs="*", metavar="PATH", help="files, folders, or - for stdin")
    out = clean.add_argument_group("where the output goes")
    out.add_argument("-o", "--output", metavar="FILE|DIR",
                     help="write to FILE (one input) or into DIR, mirroring input folders")
    out.add_argument("--in-place", action="store_true", help="replace each input file atomically")
    out.add_argument("--backup", metavar="SUFFIX", help="with --in-place: keep the original as PATH+SUFFIX")
    out.add_argument("--force", action="store_true", help="overwrite existing output files")
    out.add_argument("--format", choices=("text", "json"), default="text",
                     help="json: one JSON object per input with text, metadata, steps and warnings")
    out.add_argument("--include", action="append", metavar="GLOB",
                     help=f"file names to take when walking folders (default: {' '.join(DEFAULT_INCLUDE)})")
    look = clean.add_argument_group("seeing what it does")
    look.add_argument("--explain", action="store_true", help="print every step in words on stderr")
    look.add_argument("--report", metavar="FILE", help="write one JSON line per input (path, encoding, script, steps, warnings, metadata)")
    look.add_argument("--removed", metavar="FILE", help="write the removed lines (chrome, lead, metadata table) as TSV for review")
    look.add_argument("--diff", action="store_true", help="print a unified diff instead of the text")
    look.add_argument("--check", action="store_true", help="write nothing; exit 1 if any input would change")
    look.add_argument("-q", "--quiet", action="store_true", help="no warnings or progress on stderr")
    opts = clean.add_argument_group("cleaning options (see README: Configuration)")
    opts.add_argument("--keep", choices=("article", "document"), default="article",
                      help="article: the page's article without site chrome (default); document: only the embedded official document")
    opts.add_argument("--punct", choices=("chinese", "keep"), default="chinese",
                      help="chinese: ASCII , ; : ? ! ( ) inside Chinese text become ，；：？！（） (default)")
    opts.add_argument("--spaces", choices=("collapse", "keep"), default="collapse",
                      help="collapse: a run of spaces inside a line becomes one (default); keep: runs stay (tables aligned with spaces)")
    opts.add_argument("--encoding", metavar="NAME", help="decode input as NAME instead of detecting it (gb18030, big5, utf-16, ...)")
    opts.add_argument("--errors", choices=("strict", "replace"), default="strict",
                      help="replace: decode undecodable bytes as U+FFFD and report how many (default: refuse)")
    opts.add_argument("--html", choices=("auto", "always", "never"), default="auto", help="extract the main text of HTML input")
    opts.add_argument("--t2s", choices=("auto", "always", "never"), default="auto",
                      help="auto: convert only paragraphs detected as Traditional (default)")
    opts.add_argument("--region", choices=("none", "tw", "hk"), default="none",
                      help="read Traditional text as Taiwan (tw) or Hong Kong (hk) phrasing")
    opts.add_argument("--placeholder", action="append", default=[], metavar="MASK=WORD",
                      help="resolve a masked keyword, e.g. --placeholder 关键词1=江苏 (repeatable)")
    opts.add_argument("--no-despin", action="store_true", help="do not restore synonym-spun text")
    opts.add_argument("--despin-threshold", type=float, metavar="X", help="document score above which text counts as spun")
    opts.add_argument("--no-boilerplate", action="store_true", help="keep site chrome (source lines, counters, comment widgets...)")
    opts.add_argument("--no-mojibake", action="store_true", help="do not repair mojibake")
    opts.add_argument("--tables", metavar="DIR", help="use the correction tables in DIR instead of the shipped ones")
    clean.add_argument("-j", "--jobs", type=int, default=1, metavar="N", help="clean N files in parallel")
    clean.add_argument("--stream", action="store_true",
                       help="for corpora too large to hold: clean block by block, holding about 1 MB at a time; "
                            "only paragraph-level stages run (no chrome removal, document extraction or metadata)")
    clean.set_defaults(func=run_clean)

    detect = sub.add_parser(
        "detect", help="print encoding, script and spinner score of files",
        description="Print, per file: encoding, detector confidence, script and the de-spin gate's score. Changes nothing.",
        epilog="example:\n  policyclean detect seeds/*.txt", formatter_class=argparse.RawDescriptionHelpFormatter)
    detect.add_argument("paths", nargs="+", metavar="PATH")
    detect.add_argument("--encoding", metavar="NAME", help="force the encoding")
    detect.add_argument("--json", action="store_true", help="one JSON object per line")
    detect.set_defaults(func=run_detect)

    from . import tablecli
    tablecli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args)
    except UsageError as error:
        print(f"policyclean: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


# ----------------------------------------------------------------------------- clean

@dataclass
class Job:
    """One input: where it comes from and where its output goes (None = stdout)."""

    source: str  # a path, or "-" for stdin
    target: Path | None
    data: bytes | None = None  # stdin is read up front


@dataclass
class Outcome:
    job: Job
    original: str = ""
    result: Result | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)


def config_from_args(args: argparse.Namespace) -> Config:
    placeholders = []
    for item in args.placeholder:
        mask, sep, word = item.partition("=")
        if not sep or not mask or not word:
            raise UsageError(f"--placeholder {item!r}: write it as MASK=WORD, e.g. --placeholder 关键词1=江苏")
        placeholders.append((mask, word))
    return Config(
        encoding=args.encoding, errors=args.errors, html=args.html, mojibake=not args.no_mojibake,
        t2s=args.t2s, region=args.region, punct=args.punct, spaces=args.spaces, despin=not args.no_despin,
        despin_threshold=args.despin_threshold, boilerplate=not args.no_boilerplate, keep=args.keep,
        placeholders=tuple(placeholders), tables_dir=args.tables,
        # nobody reads the change records unless --explain or --report asks: counting is enough
        max_changes=None if (args.explain or args.report) else 0)


def run_clean(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    if args.stream:
        unavailable = [flag for flag, on in (("--explain", args.explain), ("--report", args.report),
                                             ("--removed", args.removed), ("--diff", args.diff),
                                             ("--check", args.check), ("--format json", args.format == "json"),
                                             ("-j", args.jobs != 1)) if on]
        if unavailable:
            raise UsageError(f"{', '.join(unavailable)}: not available with --stream (it keeps no whole document)")
    jobs = plan_jobs(args)
    if args.stream:
        return run_stream(jobs, config, args)
    if args.jobs < 1:
        raise UsageError("-j/--jobs must be at least 1")
    if not args.quiet:
        for job in jobs:
            size = _size(job.source)
            if size >= LARGE_INPUT_BYTES:
                print(f"policyclean: {job.source}: note: {size / 2**20:,.0f} MB is cleaned as one document, which needs "
                      f"about {size * 10 / 2**30:,.1f} GB of memory; --stream cleans a corpus block by block "
                      "in about 100 MB (paragraph-level stages only)", file=sys.stderr)
    progress = Progress(len(jobs), enabled=not args.quiet and sys.stderr.isatty() and len(jobs) >= PROGRESS_MIN_FILES)
    report = open_side_file(args.report, args.force, "--report")
    removed = open_side_file(args.removed, args.force, "--removed")
    if removed:
        removed.write("path\tstage\trule\tline\ttext\n")
    failed = changed = 0
    try:
        for outcome in process(jobs, config, args.jobs):
            progress.step(outcome.job.source)
            if outcome.error:
                failed += 1
                progress.clear()
                print(f"policyclean: {outcome.error}", file=sys.stderr)
                continue
            result = outcome.result
            assert result is not None
            is_changed = result.text != outcome.original
            changed += is_changed
            progress.clear()
            if not args.quiet:
                for warning in result.warnings:
                    print(f"policyclean: {outcome.job.source}: warning: {warning}", file=sys.stderr)
            if args.explain:
                print(explain(outcome.job.source, result), file=sys.stderr)
            if report:
                report.write(json.dumps({"path": outcome.job.source, "changed": is_changed, **result.to_dict()},
                                        ensure_ascii=False) + "\n")
            if removed:
                for item in result.removed:
                    cells = [outcome.job.source, item.get("stage", ""), item.get("rule", ""),
                             str(item.get("line", "")), item.get("text", "")]
                    removed.write("\t".join(c.replace("\t", " ") for c in cells) + "\n")
            if args.check:
                if is_changed and not args.quiet:
                    print(f"would clean {outcome.job.source}", file=sys.stderr)
                continue
            try:
                emit(outcome, args, len(jobs))
            except OSError as error:
                failed += 1
                print(f"policyclean: {outcome.job.target}: cannot write ({error.strerror}); check the folder exists and is writable",
                      file=sys.stderr)
    finally:
        progress.clear()
        for handle in (report, removed):
            if handle:
                handle.close()
    if failed:
        return EXIT_FAILED
    if args.check and changed:
        return EXIT_CHANGED
    return EXIT_OK


def _size(source: str) -> int:
    """The size of an input file in bytes (0 for stdin or what cannot be read: that is reported later)."""
    try:
        return os.stat(source).st_size if source != "-" else 0
    except OSError:
        return 0


def run_stream(jobs: list[Job], config: Config, args: argparse.Namespace) -> int:
    """--stream: each input is read in chunks and written block by block, never held whole."""
    from dataclasses import replace

    from .pipeline import clean_stream

    failed = 0
    for job in jobs:
        source = "<stdin>" if job.source == "-" else job.source
        # not over cleaned text written to the same terminal
        shown = not args.quiet and sys.stderr.isatty() and (job.target is not None or not sys.stdout.isatty())
        progress = ByteProgress(source, _size(job.source), enabled=shown)
        try:
            with _input_chunks(job) as chunks:
                chunks = progress.counted(chunks)
                blocks = (result.text for result in clean_stream(chunks, replace(config, source=source)))
                if job.target is None:
                    for text in blocks:
                        sys.stdout.write(text)
                    sys.stdout.flush()
                else:
                    job.target.parent.mkdir(parents=True, exist_ok=True)
                    mode = job.target.stat().st_mode & 0o7777 if args.in_place else None
                    if args.in_place and args.backup:
                        write_atomically(job.target.with_name(job.target.name + args.backup),
                                         job.target.read_bytes(), mode)
                    write_atomically(job.target, blocks, mode)
        except PolicycleanError as error:
            failed += 1
            progress.clear()
            print(f"policyclean: {error}", file=sys.stderr)
        except OSError as error:
            failed += 1
            progress.clear()
            print(f"policyclean: {error.filename or source}: {error.strerror}; check the path and permissions",
                  file=sys.stderr)
        progress.clear()
    return EXIT_FAILED if failed else EXIT_OK


class _input_chunks:
    """The input's bytes in 1 MB chunks (stdin as read up front for other modes is not used here)."""

    CHUNK = 1 << 20

    def __init__(self, job: Job) -> None:
        self.job = job
        self.handle = None

    def __enter__(self) -> Iterator[bytes]:
        self.handle = sys.stdin.buffer if self.job.source == "-" else open(self.job.source, "rb")
        if self.job.data is not None:
            return iter((self.job.data,))
        return iter(lambda: self.handle.read(self.CHUNK), b"")

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None and self.handle is not sys.stdin.buffer:
            self.handle.close()


def plan_jobs(args: argparse.Namespace) -> list[Job]:
    """Turn the command line into a list of inputs and their targets, refusing surprises."""
    paths = args.paths or []
    if not paths:
        if sys.stdin.isatty():
            raise UsageError("no input: give files or folders, or - to read stdin (see policyclean clean --help)")
        paths = ["-"]
    if args.in_place and args.output:
        raise UsageError("--in-place and -o/--output exclude each other")
    if args.backup and not args.in_place:
        raise UsageError("--backup only goes with --in-place")
    if args.check and (args.in_place or args.output):
        raise UsageError("--check writes nothing; drop -o/--in-place")
    if args.diff and args.format == "json":
        raise UsageError("--diff and --format json exclude each other")
    include = tuple(args.include or DEFAULT_INCLUDE)

    inputs: list[tuple[str, Path | None]] = []  # (source, path relative to its folder argument)
    for raw in paths:
        if raw == "-":
            if args.in_place:
                raise UsageError("--in-place cannot replace stdin")
            inputs.append(("-", None))
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(walk(path, include))
            if not found:
                print(f"policyclean: {raw}: no files matching {' '.join(include)} in this folder", file=sys.stderr)
            inputs.extend((str(p), p.relative_to(path)) for p in found)
        elif path.exists():
            inputs.append((raw, Path(path.name)))
        else:
            raise UsageError(f"{raw}: no such file or folder")
    if [s for s, _ in inputs].count("-") > 1:
        raise UsageError("- (stdin) can be given only once")

    jobs: list[Job] = []
    output = Path(args.output) if args.output else None
    to_dir = output is not None and (output.is_dir() or args.output.endswith(os.sep) or len(inputs) > 1
                                     or any(Path(p).is_dir() for p in paths if p != "-"))
    if output is not None and to_dir and output.exists() and not output.is_dir():
        raise UsageError(f"-o {output}: is a file, but several inputs need a folder")
    for source, relative in inputs:
        if args.in_place:
            target: Path | None = Path(source)
        elif output is None:
            target = None
        elif to_dir:
            target = output / (relative if relative is not None else Path("stdin.txt"))
        else:
            target = output
        if target is not None and not args.in_place:
            if source != "-" and target.exists() and target.resolve() == Path(source).resolve():
                raise UsageError(f"{source}: output would overwrite the input; use --in-place for that")
            if target.exists() and not args.force:
                raise UsageError(f"{target}: already exists; use --force to overwrite it, or another -o")
        data = sys.stdin.buffer.read() if source == "-" and not getattr(args, "stream", False) else None
        jobs.append(Job(source, target, data))
    return jobs


def walk(folder: Path, include: tuple[str, ...]) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            path = Path(root) / name
            if not name.startswith(".") and any(path.match(pattern) for pattern in include):
                yield path


def process(jobs: list[Job], config: Config, workers: int) -> Iterator[Outcome]:
    """Clean every job, in input order; in parallel processes when asked."""
    if workers == 1 or len(jobs) < 2:
        for job in jobs:
            yield clean_job(job, config)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(clean_job, jobs, [config] * len(jobs), chunksize=4)


def clean_job(job: Job, config: Config) -> Outcome:
    """Read and clean one input; errors become a one-line message naming the input."""
    from .pipeline import clean
    from dataclasses import replace

    outcome = Outcome(job)
    try:
        data = job.data if job.data is not None else Path(job.source).read_bytes()
    except OSError as error:
        outcome.error = f"{job.source}: cannot read ({error.strerror})"
        return outcome
    name = "<stdin>" if job.source == "-" else job.source
    try:
        result = clean(data, replace(config, source=name))
    except PolicycleanError as error:
        outcome.error = str(error)
        return outcome
    outcome.result = result
    outcome.original = original_text(data, result)
    return outcome


def original_text(data: bytes, result: Result) -> str:
    """The input as text, for --diff and --check (decoded the way the pipeline decoded it)."""
    encoding = result.encoding or "utf-8"
    if encoding.lower().replace("_", "-") in ("gbk", "gb2312"):
        encoding = "gb18030"
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def emit(outcome: Outcome, args: argparse.Namespace, total: int) -> None:
    result = outcome.result
    assert result is not None
    if args.diff:
        text = "".join(difflib.unified_diff(
            outcome.original.splitlines(keepends=True), result.text.splitlines(keepends=True),
            fromfile=outcome.job.source, tofile=f"{outcome.job.source} (cleaned)"))
    elif args.format == "json":
        text = json.dumps({"path": outcome.job.source, "text": result.text, **result.to_dict()},
                          ensure_ascii=False) + "\n"
    else:
        text = result.text
    target = outcome.job.target
    if target is None:
        if total > 1 and args.format == "text" and not args.diff:
            sys.stdout.write(f"==> {outcome.job.source} <==\n")
        sys.stdout.write(text)
        sys.stdout.flush()
    elif args.in_place:
        if args.diff:
            sys.stdout.write(text)
            return
        if result.text != outcome.original:
            replace_atomically(target, text.encode("utf-8"), args.backup)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, text.encode("utf-8"))


def _new_file_mode() -> int:
    """What a newly created file gets (0o666 less the umask): mkstemp's files are private."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(target: Path, data: bytes | Iterable[str], mode: int | None = None) -> None:
    """Write to a temporary file beside ``target``, then rename it over: never a half-written file.

    ``data``: bytes, or text arriving block by block (written as UTF-8 as it comes).
    ``mode``: the permissions to keep (an in-place replacement); None = a new file's."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            if isinstance(data, bytes):
                stream.write(data)
            else:
                for text in data:
                    stream.write(text.encode("utf-8"))
        os.chmod(temporary, _new_file_mode() if mode is None else mode)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def replace_atomically(target: Path, data: bytes, backup_suffix: str | None) -> None:
    mode = target.stat().st_mode & 0o7777
    if backup_suffix:
        backup = target.with_name(target.name + backup_suffix)
        write_atomically(backup, target.read_bytes(), mode)
    write_atomically(target, data, mode)


def open_side_file(path: str | None, force: bool, option: str):
    if not path:
        return None
    target = Path(path)
    if target.exists() and not force:
        raise UsageError(f"{option} {path}: already exists; use --force to overwrite it")
    return target.open("w", encoding="utf-8")


def explain(source: str, result: Result) -> str:
    lines = [f"{source}: encoding {result.encoding or 'str'}, script {result.script}"]
    if not result.steps:
        lines.append("  no changes")
    for step in result.steps:
        lines.append(f"  {step.name}: {step.summary}")
        for change in step.changes[:EXPLAIN_EXAMPLES]:
            before, after = _short(change.before), _short(change.after)
            arrow = f"{before} → {after}" if after else f"removed {before}"
            lines.append(f"    {arrow}  [{change.rule}]{'  ' + change.why if change.why else ''}")
        if step.count > EXPLAIN_EXAMPLES:
            lines.append(f"    … and {step.count - EXPLAIN_EXAMPLES} more (all of them are in --report)")
    for warning in result.warnings:
        lines.append(f"  warning: {warning}")
    return "\n".join(lines)


EXPLAIN_EXAMPLES = 12


def _short(text: str, width: int = 40) -> str:
    text = text.replace("\n", "⏎")
    return text if len(text) <= width else text[: width - 1] + "…"


class Progress:
    """A one-line progress counter on stderr, only when stderr is a terminal."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done, self.enabled = total, 0, enabled

    def step(self, name: str) -> None:
        self.done += 1
        if self.enabled:
            sys.stderr.write(f"\r\033[K[{self.done}/{self.total}] {_short(name, 60)}")
            sys.stderr.flush()

    def clear(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


class ByteProgress:
    """--stream on a terminal: how much of one input has been read, at most twice a second."""

    INTERVAL = 0.5  # seconds between updates

    def __init__(self, name: str, total: int, enabled: bool) -> None:
        self.name, self.total, self.enabled = name, total, enabled
        self.done, self.start, self.shown = 0, time.monotonic(), 0.0

    def counted(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self.done += len(chunk)
            now = time.monotonic()
            if self.enabled and now - self.shown >= self.INTERVAL:
                self.shown = now
                of = f" of {self.total / 1e6:,.0f} MB ({100 * self.done // self.total}%)" if self.total else " MB"
                speed = self.done / 1e6 / max(now - self.start, 1e-9)
                sys.stderr.write(f"\r\033[K{_short(self.name, 40)}: {self.done / 1e6:,.0f}{of}, {speed:.1f} MB/s")
                sys.stderr.flush()
            yield chunk

    def clear(self) -> None:
        if self.enabled and self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self.shown = 0.0


# ----------------------------------------------------------------------------- detect

def run_detect(args: argparse.Namespace) -> int:
    from . import decode, despin, normalise, script

    failed = 0
    for raw in args.paths:
        try:
            data = Path(raw).read_bytes()
        except OSError as error:
            print(f"policyclean: {raw}: cannot read ({error.strerror})", file=sys.stderr)
            failed += 1
            continue
        config = Config(encoding=args.encoding, source=raw)
        try:
            found = decode.detect(data) if not args.encoding else {"encoding": args.encoding, "confidence": 1.0}
            text = decode.decode(data, config).text
        except PolicycleanError as error:
            print(f"policyclean: {error}", file=sys.stderr)
            failed += 1
            continue
        text = normalise.run(text, config, {}).text
        converted = script.run(text, config, {})  # the spinner tables are Simplified: score what despin would see
        found_script = converted.data.get("script", "none")
        spin: dict[str, Any] = despin.score(converted.text, config)
        record = {"path": raw, "encoding": found["encoding"], "confidence": found.get("confidence"),
                  "script": found_script, "despin": spin}
        if args.json:
            print(json.dumps(record, ensure_ascii=False))
        else:
            print(f"{raw}\t{found['encoding']}\t{found.get('confidence') or 0:.2f}\t{found_script}\t{_spin_words(spin)}")
    return EXIT_FAILED if failed else EXIT_OK


def _spin_words(spin: dict[str, Any]) -> str:
    """``spun: thesaurus (score 22.58 ≥ 2.00)`` or ``not spun (highest: dongtanzhu -1.54 < 2.00)``."""
    profile, score, threshold = spin.get("profile"), spin.get("score"), spin.get("threshold")
    if not profile or not isinstance(threshold, (int, float)):
        return spin["verdict"]
    if spin["spun"]:
        return f"spun: {profile} (score {score:.2f} ≥ {threshold:.2f})"
    return f"not spun (highest: {profile} {score:.2f} < {threshold:.2f})"


if __name__ == "__main__":
    sys.exit(main())
