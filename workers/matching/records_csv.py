"""Reading the person-records CSV of design.md, row by row, refusing bad rows with their line.

Columns: record_id, source, given_name, family_name, date_of_birth (YYYY-MM-DD, or DD/MM/YYYY
as UK systems export it, or blank), sex,
address, postcode; optional other_names, phone, nhs_number, flags (semicolon-separated:
restricted, cp_plan, cin, lac), open_case_ref. Any other column is kept in `extra`, not refused.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import BinaryIO

from workers.matching import normalise
from workers.matching.person import Person

REQUIRED_COLUMNS = (
    "record_id", "given_name", "family_name", "date_of_birth", "sex", "address", "postcode",
)  # fmt: skip
OPTIONAL_COLUMNS = ("source", "other_names", "phone", "nhs_number", "flags", "open_case_ref")
KNOWN_FLAGS = ("restricted", "cp_plan", "cin", "lac")
RESTRICTED = "restricted"
EARLIEST_BIRTH = date(1900, 1, 1)

# Wider than any real value; a longer one is a shifted column or a pasted document.
MAX_LENGTHS = {
    "record_id": 128, "source": 64, "given_name": 100, "family_name": 100, "sex": 16,
    "address": 300, "postcode": 16, "other_names": 300, "phone": 32, "nhs_number": 16,
    "open_case_ref": 64,
}  # fmt: skip


class RecordsFileError(ValueError):
    """The file as a whole cannot be read (no header, a required column missing)."""


@dataclass(frozen=True, slots=True)
class RefusedRow:
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class RecordRow:
    line: int
    source: str
    record_id: str
    person: Person
    phone: str | None = None
    nhs_number: str | None = None
    flags: tuple[str, ...] = ()
    open_case_ref: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    # Set when the date of birth was not a real date and only its digits were kept (link only).
    date_not_understood: bool = False

    @property
    def restricted(self) -> bool:
        return RESTRICTED in self.flags


def decoded_lines(stream: BinaryIO, bad_lines: set[int]) -> Iterator[str]:
    """Lines as text. A line that is not UTF-8 is read as Windows-1252, which is what Excel on
    Windows saves as "CSV" (Zoë, Siobhán, O’Neill); one that is neither is decoded with
    replacements and its number noted, so the row it belongs to can be refused instead of the
    whole file failing."""
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                yield raw.decode("cp1252")
            except UnicodeDecodeError:
                bad_lines.add(number)
                yield raw.decode("utf-8", errors="replace")


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


# What agencies' systems call the flags ("CP-Plan", "Child protection plan", "LAC").
FLAG_ALIASES = {
    "cp_plan": "cp_plan", "cp": "cp_plan", "cpp": "cp_plan", "child_protection_plan": "cp_plan",
    "child_protection": "cp_plan", "cin": "cin", "child_in_need": "cin", "lac": "lac",
    "cla": "lac", "looked_after": "lac", "looked_after_child": "lac",
    "child_looked_after": "lac", "restricted": "restricted",
}  # fmt: skip


# How extracts say "no flags".
NO_FLAGS = frozenset({"none", "n/a", "na", "-", "no", "nil", "0"})


class UnknownFlag(ValueError):
    pass


def parse_flags(raw: str | None) -> tuple[str, ...]:
    """The flags, however the extract separates and spells them; UnknownFlag for a value that is
    none of them: a flag that is quietly dropped could be "restricted" or a protection plan."""
    if (raw or "").strip().lower() in NO_FLAGS:
        return ()
    found: list[str] = []
    for part in re.split(r"[;,|/]", raw or ""):
        word = re.sub(r"[\s\-]+", "_", part.strip().lower())
        if not word:
            continue
        if word in FLAG_ALIASES:
            found.append(FLAG_ALIASES[word])
        elif all(piece in FLAG_ALIASES for piece in word.split("_")):
            found.extend(FLAG_ALIASES[piece] for piece in word.split("_"))  # "restricted cin"
        else:
            raise UnknownFlag(part.strip())
    return tuple(dict.fromkeys(found))


def read_records(
    stream: BinaryIO,
    source: str | None = None,
    *,
    keep_impossible_dates: bool = False,
) -> Iterator[RecordRow | RefusedRow]:
    """Every data row as a RecordRow or a RefusedRow, in file order.

    `source` names the extract: a row may leave its own source blank or repeat it, but a row
    naming another source is refused, because (source, record_id) identifies a record. Without
    `source` each row's own is used (blank allowed). With `keep_impossible_dates` (batch linking)
    a date of birth that is not a real date is kept as digits instead of refusing the row.
    """
    if source is not None:
        source = source.strip()
    bad_lines: set[int] = set()
    reader = csv.reader(decoded_lines(stream, bad_lines))
    try:
        header = next(reader)
    except StopIteration:
        raise RecordsFileError("the file is empty: expected a header row") from None
    except csv.Error as exc:
        raise _unreadable(1, exc) from None
    columns = [h.strip().lower().replace(" ", "_") for h in header]
    # Excel often saves empty columns after the last one: they name nothing and are ignored.
    while columns and not columns[-1]:
        columns.pop()
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise RecordsFileError("the header lacks required columns: " + ", ".join(missing))
    named = [c for c in columns if c]
    if len(set(named)) != len(named):
        twice = sorted({c for c in named if named.count(c) > 1})
        raise RecordsFileError("the header names a column twice: " + ", ".join(twice))
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    extra_columns = [(i, header[i].strip()) for i, c in enumerate(columns) if c and c not in known]
    seen: dict[tuple[str, str], int] = {}
    last_line = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise _unreadable(last_line + 1, exc) from None
        line = last_line + 1
        last_line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if any(line <= bad <= last_line for bad in bad_lines):
            yield RefusedRow(line, "not valid UTF-8 or Windows-1252 text")
            continue
        cells = (
            cells[: len(columns)] if not any(c.strip() for c in cells[len(columns) :]) else cells
        )
        if len(cells) != len(columns):
            if _swallowed_rows(cells, len(columns)):
                # A quote opened and never closed: everything after it became one field.
                raise RecordsFileError(
                    f'line {line}: a quote (") opened on this line is not closed, so the '
                    f"{last_line - line} lines after it were read as one value. Nothing was "
                    "imported from this point: correct the file and import it again"
                )
            yield RefusedRow(line, f"has {len(cells)} fields where the header has {len(columns)}")
            continue
        if any("\x00" in c for c in cells):
            yield RefusedRow(line, "contains a NUL character (a binary file or a damaged export)")
            continue
        row = dict(zip(columns, cells, strict=True))
        result = _parse_row(line, row, source, keep_impossible_dates)
        if isinstance(result, RecordRow):
            key = (result.source, result.record_id)
            if key in seen:
                result = RefusedRow(line, f"record_id repeats the row on line {seen[key]}")
            else:
                seen[key] = line
                extra = {name: cells[i] for i, name in extra_columns if cells[i].strip()}
                if extra:
                    result = replace(result, extra=extra)
        yield result


def _swallowed_rows(cells: list[str], columns: int) -> bool:
    """Whether a value holds whole rows of the file: lines inside it with nearly as many commas
    as a row has fields, as a quote left open makes. A two-line address does not."""
    return any(part.count(",") >= columns - 2 for cell in cells for part in cell.split("\n")[1:])


def _unreadable(line: int, exc: csv.Error) -> RecordsFileError:
    text = str(exc)
    if "new-line character seen in unquoted field" in text:
        return RecordsFileError(
            "the lines end with a carriage return only (an old Mac format): save the file as "
            "CSV UTF-8 and import it again"
        )
    if "field larger than field limit" in text:
        return RecordsFileError(
            f'line {line}: a value is longer than 128 KB; most likely a quote (") opened here '
            "is not closed. Nothing was imported from this point: correct the file and import "
            "it again"
        )
    return RecordsFileError(f"line {line}: the file is not valid CSV ({text})")


def _parse_row(
    line: int, row: dict[str, str], source: str | None, keep_impossible_dates: bool
) -> RecordRow | RefusedRow:
    record_id = _clean(row["record_id"])
    if record_id is None:
        return RefusedRow(line, "missing record_id")
    for column, limit in MAX_LENGTHS.items():
        if len(row.get(column) or "") > limit:
            return RefusedRow(line, f"{column} is longer than {limit} characters")
    row_source = _clean(row.get("source"))
    if source is not None:
        if row_source is not None and row_source.lower() != source.lower():
            return RefusedRow(line, "source differs from the source being imported")
        row_source = source
    given, family = _clean(row["given_name"]), _clean(row["family_name"])
    dob_text = _clean(row["date_of_birth"])
    date_not_understood = False
    try:
        dob = normalise.parse_iso_date(dob_text)
    except ValueError:
        if not keep_impossible_dates:
            return RefusedRow(
                line, "date_of_birth is not a real date written YYYY-MM-DD or DD/MM/YYYY"
            )
        dob, date_not_understood = None, True
    if dob is not None and not EARLIEST_BIRTH <= dob <= date.today():
        if not keep_impossible_dates:
            return RefusedRow(line, "date_of_birth is in the future or before 1900")
        dob, date_not_understood = None, True
    try:
        flags = parse_flags(row.get("flags"))
    except UnknownFlag as exc:
        return RefusedRow(
            line, f"flags has {str(exc)!r}, which is not one of: " + ", ".join(KNOWN_FLAGS)
        )
    person = Person(
        given_name=given,
        family_name=family,
        date_of_birth=dob,
        sex=_clean(row["sex"]),
        address=_clean(row["address"]),
        postcode=_clean(row["postcode"]),
        other_names=_clean(row.get("other_names")),
        date_of_birth_text=dob_text if date_not_understood else None,
    )
    return RecordRow(
        line=line,
        source=row_source or "",
        record_id=record_id,
        person=person,
        phone=_clean(row.get("phone")),
        nhs_number=_clean(row.get("nhs_number")),
        flags=flags,
        open_case_ref=_clean(row.get("open_case_ref")),
        date_not_understood=date_not_understood,
    )
