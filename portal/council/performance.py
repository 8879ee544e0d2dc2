"""Contract managers: the dashboard, flags and the performance exports."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import calendar, exports
from portal.auth.permissions import council_staff
from portal.council.forms import WaiveFlagForm
from portal.council.views import council
from portal.data import commit, contracts, dashboard, flags, returns, users
from portal.data import compliance as store
from portal.data.types import FlagSeverity, FlagStatus, Role
from portal.workflows import compliance


def _flag_filters() -> tuple[flags.FlagFilters, dict[str, str]]:
    args = {
        name: request.args.get(name, "")
        for name in ("manager", "supplier", "measure", "severity", "status")
    }
    if not args["status"]:
        args["status"] = "open"
    if current_user.role is Role.CONTRACT_MANAGER and "manager" not in request.args:
        args["manager"] = str(current_user.id)  # "my contracts" first; "Anyone" clears it
    number = {k: int(v) if v.isdigit() else None for k, v in args.items()}
    filters = flags.FlagFilters(
        manager_id=number["manager"],
        supplier_name=args["supplier"].strip(),
        measure_id=number["measure"],
        severity=FlagSeverity(args["severity"]) if args["severity"] in set(FlagSeverity) else None,
        status=args["status"] if args["status"] in {"open", "all", *FlagStatus} else "open",
    )
    return filters, args


@council.route("/")
@council_staff
def dashboard_page() -> str:
    council_id = current_user.organisation_id
    mine = (
        request.args.get("show", "mine" if current_user.role is Role.CONTRACT_MANAGER else "all")
        == "mine"
    )
    manager_id = current_user.id if mine else None
    filters, args = _flag_filters()
    return render_template(
        "council/dashboard.html",
        portfolio=dashboard.portfolio(council_id, manager_id),
        mine=mine,
        page=flags.list_for(
            current_user, filters, page=request.args.get("page", 1, type=int), per_page=10
        ),
        args=args,
        choices=_choices(),
        title="Dashboard",
    )


def _choices() -> dict[str, object]:
    council_id = current_user.organisation_id
    return {
        "managers": users.contract_managers(council_id),
        "measures": contracts.measures_committed(council_id),
        "severities": list(FlagSeverity),
        "statuses": [("open", "Open or acknowledged"), ("all", "Any status")]
        + [(s.value, s.value.capitalize()) for s in FlagStatus],
    }


@council.route("/flags")
@council_staff
def list_flags() -> str:
    filters, args = _flag_filters()
    return render_template(
        "council/flags.html",
        page=flags.list_for(current_user, filters, page=request.args.get("page", 1, type=int)),
        args=args,
        choices=_choices(),
        title="Flags",
    )


@council.route("/flags/export.<any(csv, xlsx):file_format>")
@council_staff
def export_flags(file_format: str) -> Response:
    filters, _ = _flag_filters()
    rows = exports.flag_rows(flags.export_for(current_user, filters))
    return exports.download(exports.FLAG_COLUMNS, rows, "flags", file_format)


@council.route("/flags/<int:flag_id>", methods=["GET", "POST"])
@council_staff
def view_flag(flag_id: int) -> str | Response:
    flag = flags.get_for(current_user, flag_id) or abort(404)
    form = WaiveFlagForm()
    if not flag.status.is_closed and form.validate_on_submit():
        flags.waive(flag, reason=form.reason.data or "", by=current_user)
        commit()
        flash("Flag waived", "success")
        return redirect(url_for("council.view_flag", flag_id=flag.id))
    return render_template(
        "council/flag.html",
        flag=flag,
        form=form,
        history=flags.flag_history(flag),
        title=f"{flag.kind.label}: {flag.contract.reference}",
    )


@council.route("/commitments/export.<any(csv, xlsx):file_format>")
@council_staff
def export_commitments(file_format: str) -> Response:
    rows = exports.commitment_rows(dashboard.commitment_statuses(current_user.organisation_id))
    return exports.download(exports.COMMITMENT_COLUMNS, rows, "commitments", file_format)


@council.route("/returns/export.<any(csv, xlsx):file_format>")
@council_staff
def export_returns(file_format: str) -> Response:
    rows = exports.return_rows(returns.for_council(current_user.organisation_id))
    return exports.download(exports.RETURN_COLUMNS, rows, "returns", file_format)


@council.route("/contracts/<int:contract_id>/assessment")
@council.route("/contracts/<int:contract_id>/assessment.<any(csv, xlsx):file_format>")
@council_staff
def performance_assessment(contract_id: int, file_format: str | None = None) -> str | Response:
    """The contract's rating and each KPI line, ready for a contract performance notice."""
    contract = contracts.get_for(current_user, contract_id) or abort(404)
    state = store.contract_state(contract.id)
    lines = compliance.trajectories(contract, calendar.today())
    if file_format:
        rows = exports.assessment_rows(contract, state, lines)
        return exports.download(
            exports.ASSESSMENT_COLUMNS,
            rows,
            f"{contract.reference}-performance-assessment",
            file_format,
        )
    return render_template(
        "council/assessment.html",
        contract=contract,
        state=state,
        lines=lines,
        today=calendar.today(),
        title=f"Performance assessment: {contract.reference}",
    )
