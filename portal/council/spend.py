"""The council's spend analysis pages (design brief section 5b): council staff only."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import exports
from portal.auth.permissions import council_staff
from portal.council.views import council
from portal.domain.spend import Location
from portal.request_input import int_arg
from portal.spend_page import (
    ANALYSIS_COLUMNS,
    SUPPLIER_COLUMNS,
    SpendPage,
    analysis_rows,
    spend_page,
    supplier_rows,
)


def _page() -> SpendPage:
    return spend_page(
        current_user.organisation_id,
        int_arg("year"),
        include_public_bodies=request.args.get("public_bodies") == "include",
    )


@council.route("/spend")
@council_staff
def spend_analysis() -> str:
    page = _page()
    # The downloads show the same year and choice as the page.
    args: dict[str, object] = {"year": page.year.financial_year} if page.year else {}
    if page.include_public_bodies:
        args["public_bodies"] = "include"
    return render_template(
        "council/spend.html",
        page=page,
        locations=list(Location),
        args=args,
        title="Spend analysis",
    )


@council.route("/spend/analysis.<any(csv, xlsx):file_format>")
@council_staff
def export_spend_analysis(file_format: str) -> Response:
    year = _page().year or abort(404)
    name = f"spend-analysis-{year.financial_year}"
    return exports.download(ANALYSIS_COLUMNS, analysis_rows(year), name, file_format)


@council.route("/spend/suppliers.<any(csv, xlsx):file_format>")
@council_staff
def export_spend_suppliers(file_format: str) -> Response:
    year = _page().year or abort(404)
    name = f"spend-suppliers-{year.financial_year}"
    return exports.download(SUPPLIER_COLUMNS, supplier_rows(year), name, file_format)
