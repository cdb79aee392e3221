"""Cutting the free text into highlighted pieces for the NLP's mentions."""

from __future__ import annotations

from intake.review.mentions import Mention, highlight, read_mentions

TEXT = "He has a bruise and no concerns about neglect."


def mention(code, word, **qualifiers):
    start = TEXT.index(word)
    return {"code": code, "start": start, "end": start + len(word), "text": word, **qualifiers}


def test_mentions_are_read_with_their_qualifiers_in_text_order():
    found = read_mentions(
        {
            "mentions": [
                mention("neglect", "neglect", negated=True),
                mention("physical_abuse", "bruise"),
            ]
        }
    )
    assert [m.code for m in found] == ["physical_abuse", "neglect"]
    assert found[1].qualifiers == ("negated",)
    assert found[1].description == "Neglect, negated"


def test_highlighting_keeps_every_character_of_the_text():
    found = read_mentions({"mentions": [mention("physical_abuse", "bruise")]})
    pieces = highlight(TEXT, found)
    assert "".join(p.text for p in pieces) == TEXT
    assert [p.text for p in pieces if p.mentions] == ["bruise"]


def test_overlapping_mentions_share_one_highlight():
    a = Mention("physical_abuse", 9, 15, "bruise", ())
    b = Mention("serious_injury", 9, 19, "bruise and", ())
    pieces = highlight(TEXT, [a, b])
    marked = [p for p in pieces if p.mentions]
    assert len(marked) == 1 and marked[0].text == "bruise and" and len(marked[0].mentions) == 2


def test_a_mention_that_does_not_fit_the_text_is_not_highlighted():
    wrong = Mention("neglect", 0, 6, "bruise", ())
    outside = Mention("neglect", 40, 400, "x", ())
    pieces = highlight(TEXT, [wrong, outside])
    assert pieces == highlight(TEXT, [])


def test_malformed_extraction_is_ignored_rather_than_failing_the_page():
    assert read_mentions(None) == []
    assert read_mentions({"mentions": "nonsense"}) == []
    assert read_mentions({"mentions": [{"code": "x"}, 5]}) == []
