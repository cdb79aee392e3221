"""Server-rendered SVG bar charts."""

from __future__ import annotations

from xml.etree import ElementTree

from intake.review.charts import Bar, bar_chart


def test_a_chart_is_well_formed_svg_with_a_title_and_a_label_per_bar():
    svg = str(bar_chart("c1", "Contacts by source", [Bar("School", 12), Bar("Police", 30)]))
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title"
    assert root.find(f"{ns}title").text == "Contacts by source"
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert texts == ["School", "12", "Police", "30"]
    widths = [float(r.get("width")) for r in root.iter(f"{ns}rect")]
    assert widths[1] == 300 and widths[0] == 120


def test_labels_are_escaped_and_no_style_attribute_is_used():
    svg = str(bar_chart("c2", "<b>x</b>", [Bar("<script>alert(1)</script>", 1)]))
    assert "<script>" not in svg and "<b>" not in svg
    assert "style=" not in svg
    ElementTree.fromstring(svg)


def test_a_zero_bar_has_no_length_and_an_empty_chart_still_renders():
    svg = str(bar_chart("c3", "Nothing", [Bar("None", 0)]))
    assert 'width="0.0"' in svg
    ElementTree.fromstring(str(bar_chart("c4", "Empty", [])))
