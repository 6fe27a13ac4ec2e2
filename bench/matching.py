"""The person-matching engine's benchmark: screening one applicant against 100,000 encoded persons, next to a
baseline measured in the same run (section `bench:matching` of BENCHMARKS.md).

    screen        Index.screen(applicant): blocking keys, candidates, compare each   vs   baseline: HMAC of the
                  (applicant already encoded)                                             applicant's SSN and a dict
    encode+screen encode(applicant record, key) then Index.screen                        lookup among the 100,000
                                                                                          persons' SSN tokens

The population is `tabwise.matching.evaluation`'s synthetic one (Faker en_US and es_MX, identity history), made and
encoded in two worker processes from a fixed seed; the applicants are evasions of indexed persons (the issue's
story, combined evasions, single evasions) and unrelated people, so blocking is exercised the way screening is.
Each applicant is timed on both sides back to back, the order alternating; figures are medians and p95 over the
applicants, and the ratio of medians is the figure that matters (absolute times depend on the machine and its load).
In-process, no Django database: the network app's persistence comes later.

    .venv/bin/python -m bench.matching                    # 100,000 persons, 1,000 applicants (a few minutes)
    .venv/bin/python -m bench.matching --persons 20000    # a smaller population
    .venv/bin/python bench/run.py --only matching         # the same, through the runner
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tabwise.matching import PersonRecord

if __package__ in (None, ""):  # run as a script: the project root, so `tabwise` imports
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
MARK_START = "<!-- bench:matching:start -->"
MARK_END = "<!-- bench:matching:end -->"
KEY = b"bench-matching-key-not-a-secret!"  # a throwaway key for synthetic people
WORKERS = 2


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tabwise.settings")
    import django

    django.setup()


def _make_chunk(args: tuple[int, int]) -> list[tuple[str, str, str]]:
    """(person id, features as JSON, normalised SSN or "") for `count` people made from `seed` (in a worker)."""
    seed, count = args
    _setup()
    from tabwise.matching import encode, normalise
    from tabwise.matching.evaluation import _Maker

    maker = _Maker(seed)
    rows = []
    for number in range(count):
        record = maker.person().record
        full, _ = normalise.normalise_ssn(record.ssn)
        rows.append((f"s{seed}-{number}", encode(record, KEY).to_json(), full or ""))
    return rows


def build_population(persons: int, seed: int) -> tuple[object, dict[int, str], float]:
    """The Index of `persons` encoded people, the SSN-token dict of the baseline, and the seconds it took."""
    from tabwise.matching import Index, PersonFeatures
    from tabwise.matching.encoding import token

    started = time.perf_counter()
    chunks = [(seed * 1000 + part, persons // WORKERS + (part < persons % WORKERS)) for part in range(WORKERS)]
    with get_context("spawn").Pool(WORKERS) as pool:
        results = pool.map(_make_chunk, chunks)
    index = Index()
    by_ssn: dict[int, str] = {}
    for rows in results:
        for person_id, text, ssn in rows:
            index.add(person_id, PersonFeatures.from_json(text))
            if ssn:
                by_ssn[token(KEY, "ssn", ssn)] = person_id
    return index, by_ssn, time.perf_counter() - started


def applicants(count: int, seed: int) -> list[tuple[str, PersonRecord, str | None]]:
    """(kind, PersonRecord, target id or None): evasions of indexed people and unrelated people."""
    from tabwise.matching import evaluation

    maker = evaluation._Maker(seed * 1000)  # the first worker's people, again: the evasions' targets are indexed
    people = [maker.person() for _ in range(min(count, 5000))]
    for number, person in enumerate(people):
        person.person_id = f"s{seed * 1000}-{number}"
    other = evaluation._Maker(seed + 7_777)
    chosen: list[tuple[str, PersonRecord, str | None]] = []
    kinds = ("story", "combined", "nickname", "dob_transposed", "new_address", "unrelated")
    while len(chosen) < count:
        kind = kinds[len(chosen) % len(kinds)]
        person = people[other.rng.randrange(len(people))]
        base = evaluation._applicant(person.record, evaluation._current(person.record))
        if kind == "unrelated":
            chosen.append((kind, other.typed(other.person().record), None))
            continue
        if kind == "story":
            record = evaluation._story(other, person, base)
        elif kind == "combined":
            built = evaluation._combined(other, person, base, with_dob=other.rng.random() < 0.5)
            record = built[0] if built else None
        else:
            record = evaluation._evade(other, person, kind, base)
        if record is not None:
            chosen.append((kind, other.typed(record), person.person_id))
    return chosen


def _timed(call: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def measure(
    index: object, by_ssn: dict[int, str], chosen: list[tuple[str, PersonRecord, str | None]]
) -> dict[str, object]:
    from tabwise.matching import Index, encode, normalise
    from tabwise.matching.encoding import token

    assert isinstance(index, Index)
    encoded = [encode(record, KEY) for _, record, _ in chosen]
    times: dict[str, list[float]] = {"screen": [], "encode_screen": [], "baseline": []}
    candidates: list[int] = []
    found = evasions = false_hits = 0

    for position, ((_kind, record, target), features) in enumerate(zip(chosen, encoded, strict=True)):

        def baseline(record: PersonRecord = record) -> object:
            full, _ = normalise.normalise_ssn(record.ssn)
            return by_ssn.get(token(KEY, "ssn", full)) if full else None

        def screen(features: object = features) -> object:
            return index.screen(features)  # type: ignore[arg-type]

        def encode_screen(record: PersonRecord = record) -> object:
            return index.screen(encode(record, KEY))

        sides = [("baseline", baseline), ("screen", screen), ("encode_screen", encode_screen)]
        for name, call in sides if position % 2 == 0 else reversed(sides):
            seconds, result = _timed(call)
            times[name].append(seconds)
            if name == "screen":
                hits = result
        candidates.append(len(index.candidates(features)))
        hit_ids = {hit.record_id for hit in hits}  # type: ignore[attr-defined]
        if target is not None:
            evasions += 1
            found += target in hit_ids
        false_hits += len(hit_ids - {target})
    return {"times": times, "candidates": candidates, "found": found, "evasions": evasions, "false_hits": false_hits}


def _p95(values: Sequence[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def render(args: argparse.Namespace, built_seconds: float, result: dict[str, object], started: datetime) -> str:
    times: dict[str, list[float]] = result["times"]  # type: ignore[assignment]
    candidates: list[int] = result["candidates"]  # type: ignore[assignment]
    base = statistics.median(times["baseline"])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def row(name: str, label: str) -> str:
        values = times[name]
        median, p95 = statistics.median(values), _p95(values)
        ratio = f"**{median / base:,.0f}x**" if name != "baseline" else "1x"
        return f"| {label} | {median * 1e3:.3f} ms | {p95 * 1e3:.3f} ms | {ratio} |"

    return "\n".join(
        [
            MARK_START,
            "## Matching: screening one applicant against an index of encoded persons",
            "",
            f"Written by `bench/matching.py` on {started:%Y-%m-%d %H:%M} UTC. Machine: {os.cpu_count()} vCPUs, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}; in-process (no database), "
            f"peak memory {rss:,.0f} MiB. The machine is shared: other processes run during the measurement, so only "
            "the ratio to the baseline, measured back to back for each applicant, is meant to carry over.",
            "",
            f"Population: {args.persons:,} synthetic persons (`tabwise.matching.evaluation`, seed "
            f"{args.seed}, Faker en_US and es_MX, identity history), encoded under one key in {WORKERS} processes and "
            f"indexed in {built_seconds:,.0f} s. Applicants: {len(candidates):,} (the issue's story, combined "
            "evasions, nickname, transposed date of birth, new address, unrelated people), each typed the way "
            "another business would.",
            "",
            "| side | median | p95 | / baseline |",
            "|---|---|---|---|",
            row("baseline", f"baseline: HMAC of the SSN + dict lookup among {args.persons:,} persons' SSN tokens"),
            row("screen", "`Index.screen(features)`: blocking keys, candidates, `compare` each"),
            row("encode_screen", "`encode(record)` + `Index.screen`"),
            "",
            f"Candidates per applicant: median {statistics.median(candidates):.0f}, p95 {_p95(candidates):.0f}, "
            f"max {max(candidates)}. Evasions found at band possible or better: {result['found']} of "
            f"{result['evasions']}; hits on someone other than the target: {result['false_hits']}.",
            "",
            "The baseline finds only an applicant who gives the same SSN; the engine also finds the ones who do not. "
            "Rerun: `.venv/bin/python -m bench.matching` (or `bench/run.py --only matching`).",
            MARK_END,
        ]
    )


def write_section(section: str) -> None:
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else "# Benchmarks\n"
    if MARK_START in text and MARK_END in text:
        before, _, rest = text.partition(MARK_START)
        _, _, after = rest.partition(MARK_END)
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    BENCHMARKS_MD.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000, help="encoded persons in the index (default 100,000)")
    parser.add_argument("--applicants", type=int, default=1_000, help="applicants screened (default 1,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true", help="print the section only; leave BENCHMARKS.md alone")
    args = parser.parse_args(argv)
    _setup()
    started = datetime.now(UTC)
    print(f"Making and encoding {args.persons:,} persons in {WORKERS} processes...", flush=True)
    index, by_ssn, built = build_population(args.persons, args.seed)
    print(f"  indexed in {built:.0f} s; screening {args.applicants:,} applicants...", flush=True)
    chosen = applicants(args.applicants, args.seed)
    result = measure(index, by_ssn, chosen)
    section = render(args, built, result, started)
    print(section)
    if not args.no_write:
        write_section(section)
        print(f"Wrote the matching section of {BENCHMARKS_MD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
