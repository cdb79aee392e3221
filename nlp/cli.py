"""The `frontdoor nlp extract` command: JSON Lines in, JSON Lines out.

In, one object per line: {"id": ..., "text": ...}. Out, one object per input line:
{"id": ..., **Extraction.to_dict()}, or {"id": ..., "error": "..."} for a line that cannot be
read (no "id" when there is none to give). Blank lines are skipped. An error never repeats the
text, which may hold personal data.
"""

from __future__ import annotations

import json
import logging
from typing import Any, TextIO

from nlp.pipeline import extract

log = logging.getLogger(__name__)


def run_jsonl(infile: TextIO, outfile: TextIO) -> int:
    """Extract from each line of `infile` to `outfile`; returns how many lines failed."""
    failed = 0
    for number, line in enumerate(infile, start=1):
        if not line.strip():
            continue
        result = _process(line)
        if "error" in result:
            failed += 1
            log.warning("nlp extract: line %d: %s", number, result["error"])
        outfile.write(json.dumps(result) + "\n")
        outfile.flush()
    return failed


def _process(line: str) -> dict[str, Any]:
    try:
        record = json.loads(line.removeprefix("\ufeff"))  # a BOM, as Windows tools write
    except ValueError:
        return {"error": "the line is not valid JSON"}
    if not isinstance(record, dict):
        return {"error": "the line is not a JSON object"}
    head: dict[str, Any] = {"id": record["id"]} if "id" in record else {}
    text = record.get("text")
    if not isinstance(text, str):
        return {**head, "error": '"text" is missing or not a string'}
    try:
        return {**head, **extract(text).to_dict()}
    except Exception:  # a bad line must never stop the stream
        log.exception("nlp extract: line could not be processed")
        return {**head, "error": "extraction failed"}
