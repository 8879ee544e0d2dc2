"""Council staff's work queues: returns to review, and overdue returns."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import calendar, exports
from portal.auth.permissions import council_staff
from portal.config import current_settings
from portal.council.views import council, page_number, shown_scope
from portal.data import queues, users
from portal.domain.periods import financial_quarter, financial_year_label
from portal.request_input import int_arg, text_arg

QUARTERS = ("1", "2", "3", "4")


def _queue_filters() -> tuple[queues.QueueFilters, dict[str, str]]:
    """The filters from the query string, and the same as URL arguments for links. Choosing a
    contract manager shows their contracts, whatever "Show" said."""
    args = {
        "show": shown_scope(),
        "manager": str(int_arg("manager") or ""),
        "supplier": text_arg("supplier"),
        "year": str(int_arg("year", maximum=9999) or ""),
        "quarter": str(int_arg("quarter", maximum=4) or ""),
    }
    if args["manager"]:
        args["show"] = "all"
    managed_by = current_user.id if args["show"] == "mine" else None
    filters = queues.QueueFilters(
        managed_by=int(args["manager"]) if args["manager"] else managed_by,
        supplier_name=args["supplier"].strip(),
        financial_year=int(args["year"]) if args["year"] else None,
        quarter=int(args["quarter"]) if args["quarter"] else None,
    )
    return filters, args


def _choices() -> dict[str, object]:
    """The contract managers, and the financial years from the first contract's to this one."""
    start_month = current_settings().financial_year_start_month
    this_year = financial_quarter(calendar.today(), start_month=start_month)[0]
    first = queues.first_contract_start(current_user)
    since = financial_quarter(first, start_month=start_month)[0] if first else this_year
    return {
        "managers": users.contract_managers(current_user.organisation_id),
        "years": [
            (str(year), financial_year_label(year, start_month=start_month))
            for year in range(this_year, min(since, this_year) - 1, -1)
        ],
        "quarters": QUARTERS,
    }


@council.route("/returns/to-review")
@council_staff
def returns_to_review() -> str:
    filters, args = _queue_filters()
    page = queues.to_review(current_user, filters, page=page_number())
    return render_template(
        "council/returns_to_review.html",
        page=page,
        submitted_on={
            ret.id: calendar.day_of(ret.submitted_at) for ret in page.items if ret.submitted_at
        },
        today=calendar.today(),
        args=args,
        choices=_choices(),
        title="Returns to review",
    )


@council.route("/returns/to-review.<any(csv, xlsx):file_format>")
@council_staff
def export_returns_to_review(file_format: str) -> Response:
    filters, _ = _queue_filters()
    rows = exports.to_review_rows(queues.to_review_export(current_user, filters), calendar.today())
    return exports.download(exports.TO_REVIEW_COLUMNS, rows, "returns-to-review", file_format)


@council.route("/returns/overdue")
@council_staff
def overdue_returns() -> str:
    filters, args = _queue_filters()
    return render_template(
        "council/overdue_returns.html",
        page=queues.overdue(current_user, filters, page=page_number()),
        today=calendar.today(),
        args=args,
        choices=_choices(),
        title="Overdue returns",
    )


@council.route("/returns/overdue.<any(csv, xlsx):file_format>")
@council_staff
def export_overdue_returns(file_format: str) -> Response:
    filters, _ = _queue_filters()
    rows = exports.overdue_rows(queues.overdue_export(current_user, filters), calendar.today())
    return exports.download(exports.OVERDUE_COLUMNS, rows, "overdue-returns", file_format)
