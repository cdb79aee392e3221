"""Managers' reports: the monthly MASH data return on screen (tables and charts) and as CSV."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from markupsafe import Markup

from intake import extensions
from intake.models import utcnow
from intake.review import audit, charts, monthly_return
from intake.review.audit import Action
from intake.review.monthly_return import Month, MonthlyReturn
from intake.review.permissions import Permission, current_staff, requires
from intake.review.vocabulary import RATING_FILLS, RATING_LABELS, RATINGS_BY_URGENCY

bp = Blueprint("officer_reports", __name__, url_prefix="/officer")

MONTHS_OFFERED = 24


def _month_from(value: str | None) -> Month:
    if not value:
        return Month.containing(utcnow())
    try:
        return Month.parse(value)
    except ValueError:
        abort(404, description="Choose a month from the list, written like 2026-11.")


def _recent_months() -> list[Month]:
    month = Month.containing(utcnow())
    months = []
    for _ in range(MONTHS_OFFERED):
        months.append(month)
        month = month.previous()
    return months


def _charts(report: MonthlyReturn) -> dict[str, Markup]:
    return {
        "sources": charts.bar_chart(
            "chart-sources",
            f"Contacts by who referred, {report.month.label}",
            [
                charts.Bar(f"{line.code} {line.label}", line.count)
                for line in report.sources
                if line.count
            ],
        ),
        "categories": charts.bar_chart(
            "chart-categories",
            f"Contacts by category of concern, {report.month.label}",
            [charts.Bar(line.label, line.count) for line in report.categories if line.count],
        ),
        "outcomes": charts.bar_chart(
            "chart-outcomes",
            f"Contacts by outcome, {report.month.label}",
            [charts.Bar(line.label, line.count) for line in report.outcomes if line.count],
        ),
        "timeliness": charts.bar_chart(
            "chart-timeliness",
            f"Decisions made on time, by rating, {report.month.label}",
            [
                charts.Bar(
                    RATING_LABELS[rating],
                    percent or 0,
                    fill=RATING_FILLS[rating],
                    shown="no decisions" if percent is None else f"{percent}% on time",
                )
                for rating in RATINGS_BY_URGENCY
                for percent in [report.on_time_percent(rating)]
            ],
            maximum=100,
        ),
    }


@bp.get("/reports")
@requires(Permission.SEE_REPORTS)
def monthly() -> str:
    month = _month_from(request.args.get("month"))
    report = monthly_return.build(extensions.session(), month)
    return render_template(
        "officer/reports.html",
        report=report,
        charts=_charts(report),
        months=_recent_months(),
        rating_rows=monthly_return.RATING_ROWS,
        final_columns=monthly_return.FINAL_COLUMNS,
        timeliness_kinds=monthly_return.TIMELINESS,
        timeliness_labels=monthly_return.TIMELINESS_LABELS,
        label_of=monthly_return.rating_or_extra_label,
    )


@bp.get("/reports/<month>.csv")
@requires(Permission.SEE_REPORTS)
def monthly_csv(month: str) -> Response:
    chosen = _month_from(month)
    session = extensions.session()
    body = monthly_return.to_csv(monthly_return.build(session, chosen))
    audit.record(
        session,
        Action.REPORT_EXPORTED,
        current_staff(),
        "report",
        f"monthly-return-{chosen}",
        audit.client_ip(),
        format="csv",
    )
    session.commit()
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="mash-monthly-return-{chosen}.csv"'},
    )
