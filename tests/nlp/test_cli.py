"""run_jsonl: the `frontdoor nlp extract` JSONL contract."""

import io
import json

from nlp.cli import run_jsonl


def run(lines):
    out = io.StringIO()
    failed = run_jsonl(io.StringIO("".join(lines)), out)
    return failed, [json.loads(line) for line in out.getvalue().splitlines()]


def test_each_input_line_gives_one_output_line_with_its_id():
    failed, rows = run(
        ['{"id": 1, "text": "Dad hit him."}\n', '{"id": "b", "text": "No concerns."}\n']
    )
    assert failed == 0
    assert [r["id"] for r in rows] == [1, "b"]
    assert rows[0]["categories"] == ["physical_abuse"]
    assert set(rows[0]) == {"id", "categories", "risk_indicators", "mentions", "entities"}


def test_a_bad_line_gives_an_error_line_not_a_crash():
    failed, rows = run(
        [
            "not json\n",
            '{"id": 7}\n',
            '{"id": 8, "text": 42}\n',
            "[1, 2]\n",
            '{"id": 9, "text": "Mum drinks."}\n',
        ]
    )
    assert failed == 4
    assert "error" in rows[0] and "id" not in rows[0]
    assert rows[1]["id"] == 7 and "error" in rows[1]
    assert rows[2]["id"] == 8 and "error" in rows[2]
    assert "error" in rows[3]
    assert rows[4]["id"] == 9 and "parental_substance_misuse" in rows[4]["categories"]


def test_an_error_does_not_repeat_the_text():
    _, rows = run(['{"id": 1, "text": ["Jordan Smith was hit"]}\n'])
    assert "Jordan" not in json.dumps(rows)


def test_blank_lines_are_skipped():
    failed, rows = run(["\n", '{"id": 1, "text": ""}\n', "   \n"])
    assert failed == 0
    assert len(rows) == 1
