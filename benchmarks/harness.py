"""The benchmark harness behind `make bench` (`python -m benchmarks`).

A benchmark is a function, registered with `@benchmark("name")`, that prepares what it needs
(users, a signed-in client) and returns the callable to time. Add one by writing
`benchmarks/bench_<name>.py`; the harness imports every such module after Django is set up, so
a module may import models at the top.

The harness runs against its own database (`benchmarks/bench.sqlite3`, or DATABASE_URL when it is
set), migrates it and generates the EU-scale data with `seed_scale` when it is missing. Each
figure is given as a ratio to the floor, a signed-in person's page with the base layout and no
data (benchmarks/urls.py), and to GET /health/, both timed in the same run, so figures from a
fast laptop and a slow CI runner can be compared and a page is judged by what it adds to what
every page costs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import pkgutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_DATABASE = BENCH_DIR / "bench.sqlite3"
RESULTS_DIR = BENCH_DIR / "results"
# The reference every figure is divided by: a signed-in person's page with the base layout and
# no data (benchmarks/urls.py), i.e. what the portal does for anyone before showing anything.
FLOOR = "floor: signed-in officer, base layout, no data"
# Kept as a second column: a request that touches no session, no user and no template.
HEALTH = "health: GET /health/"
# force_login must name a backend that can load the user back from the session.
MODEL_BACKEND = "accounts.backends.UserBackend"


@dataclass(frozen=True)
class Benchmark:
    name: str
    setup: Callable[[], Callable[[], object]]


REGISTRY: dict[str, Benchmark] = {}


@dataclass(frozen=True)
class EachRun:
    """What a setup returns when every run needs an untimed step first (`before`): a page
    measured as drawn afresh, its data's version raised before each run as after a change.
    `before` runs before every run, the warm-up ones included, and is not timed."""

    run: Callable[[], object]
    before: Callable[[], object]


def benchmark(name: str):
    """Register the decorated function: called once, it returns the callable to time."""

    def register(setup: Callable[[], Callable[[], object]]):
        if name in REGISTRY:
            raise ValueError(f"A benchmark named {name!r} is already registered.")
        REGISTRY[name] = Benchmark(name=name, setup=setup)
        return setup

    return register


@dataclass(frozen=True)
class Result:
    name: str
    samples_ms: tuple[float, ...]
    # The floor timed alternately with this benchmark, run for run (see measure); empty for the
    # references themselves.
    floor_samples_ms: tuple[float, ...] = ()

    @property
    def floor_median_ms(self) -> float | None:
        return statistics.median(self.floor_samples_ms) if self.floor_samples_ms else None

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95_ms(self) -> float:
        return percentile(self.samples_ms, 0.95)


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest sample with `fraction` of samples at or below."""
    if not samples:
        raise ValueError("No samples.")
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def format_counts(counts: dict[str, int]) -> str:
    width = max(len(name) for name in counts)
    return "\n".join(f"{name:<{width}}  {count:>9,}" for name, count in counts.items())


def format_table(results: Sequence[Result]) -> str:
    """A fixed-width table: name, median ms, p95 ms, and the median as a multiple of the floor's
    median and of /health/'s median (both measured in the same run). A benchmark timed in
    alternation with the floor is divided by the median of those floor runs, its own pairs;
    the floor row is made of the floor runs paired with /health/ (see main)."""
    by_name = {result.name: result for result in results}
    for reference in (FLOOR, HEALTH):
        if reference not in by_name:
            raise ValueError(f"The reference {reference!r} was not measured.")
    floor = by_name[FLOOR].median_ms
    health = by_name[HEALTH].median_ms

    def ratio(value: float, reference: float) -> str:
        return f"{value / reference:.2f}" if reference > 0 else "n/a"

    headers = ("benchmark", "median ms", "p95 ms", "x floor", "x /health/")
    rows = [
        (
            result.name,
            f"{result.median_ms:.2f}",
            f"{result.p95_ms:.2f}",
            ratio(result.median_ms, result.floor_median_ms or floor),
            ratio(result.median_ms, health),
        )
        for result in results
    ]
    name_width = max(len(headers[0]), *(len(row[0]) for row in rows))
    widths = [name_width] + [
        max(len(header), *(len(row[column]) for row in rows))
        for column, header in enumerate(headers[1:], start=1)
    ]

    def line(cells: Sequence[str]) -> str:
        first = f"{cells[0]:<{widths[0]}}"
        rest = [f"{cell:>{width}}" for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest])

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def measure(
    setup: Callable[[], Callable[[], object]],
    *,
    name: str,
    repeat: int,
    warmup: int,
    floor: Callable[[], object] | None = None,
) -> Result:
    """Time `repeat` runs of what `setup` returns, after `warmup` untimed ones.

    With `floor` (the floor page's callable), every timed run is paired with a run of the
    floor, in alternating order, and both are kept: on a shared machine whose speed changes from
    one minute to the next (seen here: the same page 11 ms in one run, 20 ms in the next), a
    ratio to a floor timed a minute earlier measures the machine; a ratio to the floor timed
    in the same seconds measures the page.

    A setup that returns an `EachRun` has its `before` called, untimed, right before each
    run of its `run` (warm-up runs included)."""
    prepared = setup()
    if isinstance(prepared, EachRun):
        run, before = prepared.run, prepared.before
    else:
        run, before = prepared, None
    for _ in range(warmup):
        if before is not None:
            before()
        run()
        if floor is not None:
            floor()
    samples, floor_samples = [], []
    for round_number in range(repeat):
        pair = [(run, samples)]
        if floor is not None:
            pair.append((floor, floor_samples))
            if round_number % 2:
                pair.reverse()
        for call, into in pair:
            if call is run and before is not None:
                before()
            started = time.perf_counter()
            call()
            into.append((time.perf_counter() - started) * 1000)
    return Result(name=name, samples_ms=tuple(samples), floor_samples_ms=tuple(floor_samples))


# Helpers for benchmark modules.


def new_client():
    """A test client that names a host the settings allow (the default, testserver, is not)."""
    from django.conf import settings
    from django.test import Client

    host = next((host.lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*"), "localhost")
    return Client(HTTP_HOST=host)


def signed_in_client(user):
    """A test client holding a session of `user`, as after signing in."""
    client = new_client()
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def page(client, path: str) -> Callable[[], object]:
    """A callable that GETs `path` and fails unless the page itself answers (no redirect)."""

    def get():
        # secure=True: production settings redirect plain HTTP to HTTPS.
        response = client.get(path, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}, not 200.")
        return response

    return get


@benchmark(HEALTH)
def health_page():
    return page(new_client(), "/health/")


@benchmark(FLOOR)
def floor_page():
    from devdata.scale import scale_users

    officer = (
        scale_users()
        .filter(is_facilitator=False, is_reviewer=False, is_programme_admin=False)
        .filter(city_memberships__isnull=False)
        .order_by("email")
        .first()
    )
    return page(signed_in_client(officer), "/__benchmarks__/floor/")


# Running.


def configure_django() -> str:
    """Point Django at the benchmark database (never the dev one) and set it up."""
    # Production behaviour, as a deployment runs: DEBUG off (cached templates, no debug
    # bookkeeping) and the static files' manifest (prepare_database collects them).
    os.environ.setdefault("SECRET_KEY", "benchmarks-only-secret-key-not-for-production")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{DEFAULT_DATABASE}")
    os.environ["DEVELOPMENT_DATA"] = "true"  # seed_scale lives in the development-data app
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    # The portal's URLs plus the floor page (benchmarks/urls.py), before any URL is resolved.
    settings.ROOT_URLCONF = "benchmarks.urls"

    return f"{connection.vendor} {connection.settings_dict['NAME']}"


def prepare_database(*, reseed: bool, out) -> None:
    from django.core.management import call_command

    from devdata.scale import scale_data_present

    call_command("migrate", interactive=False, verbosity=0)
    # Without DEBUG, {% static %} reads the manifest that collectstatic writes.
    call_command("collectstatic", interactive=False, verbosity=0)
    if reseed or not scale_data_present():
        out.write("Generating the scale data (seed_scale), once per benchmark database...\n")
        call_command("seed_scale", flush=True, stdout=out)


def discover() -> list[str]:
    """Import every benchmarks/bench_*.py module, so that its benchmarks register."""
    names = sorted(
        module.name
        for module in pkgutil.iter_modules([str(BENCH_DIR)])
        if module.name.startswith("bench_")
    )
    for name in names:
        importlib.import_module(f"benchmarks.{name}")
    return names


def main(argv: Sequence[str] | None = None, out=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per benchmark")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first")
    parser.add_argument("--only", default="", help="run benchmarks whose name contains this")
    parser.add_argument("--reseed", action="store_true", help="regenerate the scale data")
    parser.add_argument(
        "--save", action="store_true", help="also write the samples to benchmarks/results/"
    )
    args = parser.parse_args(argv)
    out = out or sys.stdout

    database = configure_django()
    prepare_database(reseed=args.reseed, out=out)
    discover()
    from devdata.scale import scale_row_counts

    out.write(f"Database: {database}\n\nData sizes\n{format_counts(scale_row_counts())}\n\n")
    # The references always run, first, so every ratio has them: /health/ in alternation with
    # the floor, whose runs there are the floor's row (so the floor's "x /health/" compares
    # runs of the same seconds too).
    references = [HEALTH, FLOOR]
    chosen = [
        name for name in REGISTRY if name not in references and args.only.lower() in name.lower()
    ]
    floor = REGISTRY[FLOOR].setup()
    health = measure(
        REGISTRY[HEALTH].setup, name=HEALTH, repeat=args.repeat, warmup=args.warmup, floor=floor
    )
    results = [health, Result(name=FLOOR, samples_ms=health.floor_samples_ms)]
    results += [
        measure(
            REGISTRY[name].setup,
            name=name,
            repeat=args.repeat,
            warmup=args.warmup,
            floor=floor,
        )
        for name in chosen
    ]
    out.write(f"{args.repeat} timed runs each after {args.warmup} warm-up runs\n")
    out.write(format_table(results) + "\n")
    if args.save:
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / time.strftime("bench-%Y%m%d-%H%M%S.json", time.gmtime())
        path.write_text(
            json.dumps(
                {
                    "database": database,
                    "data": scale_row_counts(),
                    "results": {r.name: list(r.samples_ms) for r in results},
                },
                indent=2,
            )
        )
        out.write(f"Samples written to {path}\n")
    return 0
