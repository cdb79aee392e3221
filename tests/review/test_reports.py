"""The monthly MASH data return: figures, tables, SVG charts and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from intake.models import AuditEvent
from intake.review.monthly_return import Month, build, to_csv
from tests.review.support import reviewable_contact

NOV = Month(2026, 11)
IN_NOV = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)


def seed_month(session):
    deadline = IN_NOV + timedelta(hours=4)
    reviewable_contact(
        session,
        submitted_at=IN_NOV,
        provisional_rating="amber",
        final_rating="red",
        categories=["physical_abuse", "domestic_abuse"],
        status="decided",
        outcome="strategy_discussion",
        deadline=deadline,
        decided_at=IN_NOV + timedelta(hours=1),
    )
    reviewable_contact(
        session,
        submitted_at=IN_NOV,
        provisional_rating="amber",
        final_rating="green",
        categories=["neglect"],
        status="decided",
        outcome="nfa",
        deadline=deadline,
        decided_at=IN_NOV + timedelta(hours=9),
        payload={
            "referrer": {
                "source": "6",
                "name": "PC Jones",
                "role": "PC",
                "organisation": "Police",
                "email": "pc@police.example",
                "phone": "07700 900111",
                "anonymous": False,
                "feedback_by": "email",
            }
        },
    )
    reviewable_contact(session, submitted_at=IN_NOV, provisional_rating="red", deadline=deadline)
    # Outside the month: not counted.
    reviewable_contact(session, submitted_at=IN_NOV + timedelta(days=40))


def test_the_return_counts_sources_categories_outcomes_and_the_rating_matrix(session):
    seed_month(session)
    report = build(session, NOV)
    assert report.total == 3
    sources = {line.code: line.count for line in report.sources}
    assert sources["2A"] == 2 and sources["6"] == 1 and sources["9"] == 0
    categories = {line.code: line.count for line in report.categories}
    assert categories["physical_abuse"] == 2  # the first, and the third by default
    assert categories["neglect"] == 1
    outcomes = {line.code: line.count for line in report.outcomes}
    assert outcomes["strategy_discussion"] == 1 and outcomes["nfa"] == 1
    assert outcomes["not_decided"] == 1
    assert report.matrix["amber"]["red"] == 1 and report.matrix["amber"]["green"] == 1
    assert report.matrix["red"]["not_decided"] == 1
    assert (report.escalated, report.de_escalated) == (1, 1)


def test_timeliness_is_counted_against_the_deadline_by_final_rating(session):
    seed_month(session)
    report = build(session, NOV)
    assert report.timeliness["red"]["on_time"] == 1
    assert report.timeliness["green"]["late"] == 1
    assert report.timeliness["red"]["open_overdue"] == 1  # November has passed
    assert report.on_time_percent("red") == 100 and report.on_time_percent("green") == 0


def test_the_reports_page_shows_tables_and_charts_without_inline_styles(manager, session):
    seed_month(session)
    page = manager.get("/officer/reports?month=2026-11").get_data(as_text=True)
    assert "November 2026" in page and "3 contacts received" in page
    assert page.count("<svg") >= 4 and 'role="img"' in page
    assert "style=" not in page
    assert 'id="rating-matrix"' in page
    assert "100% on time" in page


def test_an_impossible_month_is_a_kind_404(manager):
    response = manager.get("/officer/reports?month=2026-13")
    assert response.status_code == 404
    assert "Choose a month from the list" in response.get_data(as_text=True)


def test_the_csv_export_is_the_same_figures_and_is_audited(manager, staff, session):
    seed_month(session)
    response = manager.get("/officer/reports/2026-11.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "mash-monthly-return-2026-11.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    by_key = {(r["section"], r["code"]): int(r["count"]) for r in rows}
    assert by_key[("total", "contacts")] == 3
    assert by_key[("rating_change", "amber>red")] == 1
    assert by_key[("timeliness", "green.late")] == 1
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "report_exported"))
    assert event.user_id == staff["manager"].id and event.subject_id == "monthly-return-2026-11"


def test_a_label_that_looks_like_a_formula_is_defused_in_the_csv(session):
    reviewable_contact(session, submitted_at=IN_NOV, categories=["=HYPERLINK(1)"])
    text = to_csv(build(session, NOV))
    assert ",'=hyperlink(1)," in text.lower()


def test_months_parse_and_step_across_the_year_end():
    assert Month.parse("2026-12").next() == Month(2027, 1)
    assert Month(2027, 1).previous() == Month(2026, 12)
    for bad in ("2026-13", "26-11", "2026/11", "x"):
        try:
            Month.parse(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad} was accepted")
    # A month starts at midnight UK time: in summer that is 23:00 UTC the day before.
    assert Month(2026, 7).start == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
