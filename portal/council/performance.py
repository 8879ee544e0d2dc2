"""Contract managers: the dashboard, flags and the performance exports."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from portal import calendar, exports, flag_page, formatting
from portal.auth.permissions import council_staff
from portal.config import current_settings
from portal.council.forms import (
    AssessmentPeriodForm,
    ExplanationForm,
    PlanAnswerForm,
    WaiveFlagForm,
)
from portal.council.views import council, page_number
from portal.data import (
    assessments,
    commit,
    contracts,
    dashboard,
    flags,
    recovery,
    returns,
    rollback,
    users,
    versions,
)
from portal.data.models import Contract, Flag
from portal.data.types import FlagSeverity, FlagStatus, PlanStatus, Role
from portal.domain.periods import (
    Span,
    financial_quarter,
    financial_year_label,
    financial_year_span,
    long_date,
    twelve_months_ending,
)
from portal.domain.recovery import Answer
from portal.forms import conflict_message
from portal.request_input import int_arg, text_arg
from portal.supplier.forms import PLAN_CONFLICT
from portal.workflows import compliance
from portal.workflows import recovery as plan


def _flag_filters() -> tuple[flags.FlagFilters, dict[str, str]]:
    args = {name: text_arg(name) for name in ("supplier", "severity", "status", "plan")}
    args |= {name: str(int_arg(name) or "") for name in ("manager", "measure")}
    if args["status"] not in {flags.OPEN_OR_ACKNOWLEDGED, "all", *FlagStatus}:
        args["status"] = flags.OPEN_OR_ACKNOWLEDGED
    if current_user.role is Role.CONTRACT_MANAGER and "manager" not in request.args:
        args["manager"] = str(current_user.id)  # "my contracts" first; "Anyone" clears it
    filters = flags.FlagFilters(
        manager_id=int(args["manager"]) if args["manager"] else None,
        supplier_name=args["supplier"].strip(),
        measure_id=int(args["measure"]) if args["measure"] else None,
        severity=FlagSeverity(args["severity"]) if args["severity"] in set(FlagSeverity) else None,
        status=args["status"],
        plan=PlanStatus(args["plan"]) if args["plan"] in set(PlanStatus) else None,
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
        portfolio=dashboard.portfolio(
            council_id,
            manager_id,
            financial_year=financial_quarter(
                calendar.today(), start_month=current_settings().financial_year_start_month
            )[0],
        ),
        mine=mine,
        page=flags.list_for(current_user, filters, page=page_number(), per_page=10),
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
        "statuses": [(flags.OPEN_OR_ACKNOWLEDGED, "Open or acknowledged"), ("all", "Any status")]
        + [(s.value, s.value.capitalize()) for s in FlagStatus],
        "plans": list(PlanStatus),
    }


@council.route("/flags")
@council_staff
def list_flags() -> str:
    filters, args = _flag_filters()
    return render_template(
        "council/flags.html",
        page=flags.list_for(current_user, filters, page=page_number()),
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


EXPLANATION_CONFLICT = conflict_message("this explanation")
FLAG_CONFLICT = conflict_message("this flag", then="decide again whether to waive it")


def _render_flag(
    flag: Flag,
    *,
    waive_form: WaiveFlagForm | None = None,
    answer_form: PlanAnswerForm | None = None,
) -> str:
    """The flag page; `form` is whichever form was sent, for its error summary."""
    waive_form = waive_form or WaiveFlagForm(formdata=None, version=flag.plan_version)
    answer_form = answer_form or PlanAnswerForm(formdata=None, version=flag.plan_version)
    sent = answer_form if answer_form.errors else waive_form
    return render_template(
        "council/flag.html",
        form=sent,
        waive_form=waive_form,
        answer_form=answer_form,
        **flag_page.context(flag, audience="council"),
    )


@council.route("/flags/<int:flag_id>", methods=["GET", "POST"])
@council_staff
def view_flag(flag_id: int) -> str | Response:
    flag = flags.get_for(current_user, flag_id) or abort(404)
    form = WaiveFlagForm(version=flag.plan_version)
    if form.validate_on_submit():
        try:
            recovery.waive(
                flag,
                reason=form.reason.data or "",
                by=current_user,
                expected_version=form.expected_version,
            )
        except recovery.Conflict:
            rollback()
            form.version.errors = [FLAG_CONFLICT]
            form.version.data = str(flag.plan_version)
        else:
            commit()
            flash("Flag waived", "success")
            return redirect(url_for("council.view_flag", flag_id=flag.id))
    return _render_flag(flag, waive_form=form)


@council.route("/flags/<int:flag_id>/plan", methods=["POST"])
@council_staff
def answer_plan(flag_id: int) -> str | Response:
    """Accept the recovery plan, or ask for changes saying what it needs."""
    flag = flags.get_for(current_user, flag_id) or abort(404)
    form = PlanAnswerForm()
    given = Answer.ACCEPT if form.accept.data else Answer.ASK_FOR_CHANGES
    if form.validate_on_submit():
        if given is Answer.ASK_FOR_CHANGES and not form.comment.data:
            form.comment.errors = ["Enter what the plan needs"]
        else:
            try:
                told = plan.answer(
                    flag,
                    given,
                    comment=form.comment.data or "",
                    by=current_user,
                    expected_version=form.expected_version,
                )
            except recovery.Conflict:
                rollback()
                form.version.errors = [PLAN_CONFLICT]
            except recovery.NotAllowed as refused:
                rollback()
                flash(str(refused), "info")
                return redirect(url_for("council.view_flag", flag_id=flag.id))
            else:
                done = "Recovery plan accepted" if given is Answer.ACCEPT else "Changes asked for"
                flash(f"{done}. {told}", "success")
                return redirect(url_for("council.view_flag", flag_id=flag.id))
        form.version.data = str(flag.plan_version)
    return _render_flag(flag, answer_form=form)


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


def _assessment_span(
    contract: Contract, form: AssessmentPeriodForm, today: date
) -> tuple[Span, str] | None:
    """The period the form asks for, and its name; None if it asks for nothing valid."""
    start_month = current_settings().financial_year_start_month
    years = sorted(
        {p.financial_year for p in calendar.reporting_periods_of(contract) if p.starts_on <= today}
    ) or [calendar.reporting_periods_of(contract)[0].financial_year]
    form.period.choices = [
        SelectChoice(
            f"fy-{year}",
            f"The {financial_year_label(year, start_month=start_month)} financial year",
        )
        for year in reversed(years)
    ] + [SelectChoice("12m", "The 12 months ending a day you choose")]
    if not form.period.data:
        this_year = financial_quarter(today, start_month=start_month)[0]
        form.period.data = f"fy-{this_year}" if this_year in years else f"fy-{years[-1]}"
    if not form.validate():
        return None
    if form.period.data == "12m" and form.ending.data:
        span = twelve_months_ending(form.ending.data)
        return span, f"the 12 months ending {long_date(span[1])}"
    year = int(str(form.period.data).removeprefix("fy-"))
    label = next(c.label for c in form.period.choices if c.value == form.period.data)
    return financial_year_span(year, start_month=start_month), formatting.mid_sentence(label)


@council.route("/contracts/<int:contract_id>/assessment", methods=["GET", "POST"])
@council.route("/contracts/<int:contract_id>/assessment.<any(csv, xlsx):file_format>")
@council_staff
def performance_assessment(contract_id: int, file_format: str | None = None) -> str | Response:
    """Each KPI and the contract rated over a period the manager chooses, with the manager's
    explanation: what a Procurement Act 2023 contract performance notice needs."""
    contract = contracts.get_for(current_user, contract_id) or abort(404)
    today = calendar.today()
    period_form = AssessmentPeriodForm(formdata=request.args or None)
    chosen = _assessment_span(contract, period_form, today)
    result = compliance.assess_period(contract, chosen[0], today) if chosen else None
    explained = assessments.explanation_for(contract, chosen[0]) if chosen else None
    form = ExplanationForm(
        data={
            "explanation": explained.explanation if explained else "",
            "version": assessments.version_of(explained),
        }
    )
    if chosen and form.validate_on_submit():
        try:
            assessments.explain(
                contract,
                chosen[0],
                form.explanation.data or "",
                by=current_user,
                expected_version=form.expected_version,
            )
        except versions.Conflict:
            rollback()
            explained = assessments.explanation_for(contract, chosen[0])
            form.version.errors = [EXPLANATION_CONFLICT]
            form.version.data = str(assessments.version_of(explained))
        else:
            commit()
            flash("Explanation saved", "success")
            return redirect(request.full_path)
    if file_format and chosen and result:
        rows = exports.assessment_rows(contract, result, explained)
        return exports.download(
            exports.ASSESSMENT_COLUMNS,
            rows,
            f"{contract.reference}-performance-assessment-{chosen[0][0]}-to-{chosen[0][1]}",
            file_format,
        )
    if file_format:
        abort(404)
    return render_template(
        "council/assessment.html",
        field_errors={name: messages[0] for name, messages in period_form.errors.items()},
        contract=contract,
        period_form=period_form,
        chosen=chosen,
        result=result,
        form=form,
        explained=explained,
        today=today,
        title=f"Performance assessment: {contract.reference}",
    )
