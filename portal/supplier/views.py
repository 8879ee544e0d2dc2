"""Supplier users: their contracts, and the quarterly return journey."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from portal import calendar, contract_page, exports, flag_page, logs, spreadsheets
from portal.auth.permissions import supplier_users
from portal.config import current_settings
from portal.data import (
    commit,
    contracts,
    evidence,
    flags,
    recovery,
    returns,
    rollback,
    threads,
    workforce,
)
from portal.data import dashboard as overview
from portal.data.models import Flag, RecoveryAction, Return
from portal.data.types import LineReview, PlanStatus
from portal.domain import schedules, workforce_import
from portal.domain.evidence import RefusedFile, check_file
from portal.domain.periods import PeriodStatus
from portal.formatting import count, quantity
from portal.request_input import int_arg, whole_number
from portal.security import sandboxed_download
from portal.supplier.forms import (
    CONFLICT,
    PLAN_CONFLICT,
    ActionDoneForm,
    ActionForm,
    ChangeActionForm,
    DerivedLineForm,
    EvidenceForm,
    LineForm,
    PersonForm,
    RecoveryActionForm,
    SubmitReturnForm,
    UploadForm,
    VersionedForm,
)
from portal.template_helpers import period_of
from portal.workflows import recovery as plan
from portal.workflows import returns as workflow

supplier = Blueprint("supplier", __name__, url_prefix="/supplier")
T = TypeVar("T")


@supplier.route("/contracts")
@supplier_users
def list_contracts() -> str:
    filters = contracts.ContractFilters(today=calendar.today())
    page = contracts.list_for(current_user, filters, page=int_arg("page", 1) or 1)
    return render_template(
        "supplier/contracts.html",
        page=page,
        commitment_counts=contracts.count_commitments([c.id for c in page.items]),
        title="Your contracts",
    )


@supplier.route("/contracts/<int:contract_id>")
@supplier_users
def view_contract(contract_id: int) -> str:
    contract = contracts.get_for(current_user, contract_id) or abort(404)
    return render_template(
        "supplier/contract.html",
        **contract_page.context(contract, audience="supplier"),
    )


@supplier.route("/contracts/<int:contract_id>/quarters.<any(csv, xlsx):file_format>")
@supplier_users
def export_quarters(contract_id: int, file_format: str) -> Response:
    contract = contracts.get_for(current_user, contract_id) or abort(404)
    return contract_page.quarters_download(contract, file_format)


@supplier.route("/contracts/<int:contract_id>/returns/<int:year>/<int:quarter>", methods=["POST"])
@supplier_users
def start_return(contract_id: int, year: int, quarter: int) -> Response:
    contract = contracts.get_for(current_user, contract_id) or abort(404)
    period = next(
        (
            p
            for p in calendar.reporting_periods_of(contract)
            if (p.financial_year, p.quarter) == (year, quarter)
        ),
        None,
    )
    monitored = any(not c.is_retired for c in contract.commitments)
    if period is None or not monitored or period.status(calendar.today()) is PeriodStatus.FUTURE:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    ret = workflow.open_return(contract, period, by=current_user)
    return redirect(url_for("supplier.view_return", return_id=ret.id))


# The return's task list and its tasks


def _return(return_id: int) -> Return:
    return returns.get_for(current_user, return_id) or abort(404)


def _save(form: VersionedForm, change: Any) -> bool:
    """Run a change and commit it, or report that someone else got there first."""
    try:
        change()
        commit()
    except (returns.Conflict, StaleDataError):
        rollback()
        form.version.errors = [CONFLICT]
        return False
    except returns.NotEditable:
        rollback()
        abort(409)
    return True


@supplier.route("/returns/<int:return_id>")
@supplier_users
def view_return(return_id: int) -> str:
    ret = _return(return_id)
    return render_template(
        "supplier/return.html",
        ret=ret,
        problems=workflow.line_problems(ret),
        nobody=workflow.nobody_to_count_now(ret) if ret.status.is_editable else (),
        people=workforce.count(ret.id),
        files=evidence.files_of(ret.id),
        threads=threads.of_return(ret.id),
        title=f"{period_of(ret)} return",
    )


@supplier.route("/returns/<int:return_id>/lines/<int:line_id>", methods=["GET", "POST"])
@supplier_users
def edit_line(return_id: int, line_id: int) -> str | Response:
    ret = _return(return_id)
    line = returns.get_line(ret, line_id) or abort(404)
    if not ret.status.is_editable:
        return redirect(url_for("supplier.view_return", return_id=ret.id))
    derived = line.commitment.measure.derivation is not None
    queried = line.review is LineReview.QUERIED
    form_class = DerivedLineForm if derived else LineForm
    form = form_class(obj=line, version=ret.version, reply="")
    if form.validate_on_submit():
        figure = line.figure if derived else form.figure.data
        reply = (form.reply.data or "") if queried else ""

        def save() -> None:
            returns.save_line(
                ret,
                line,
                figure=figure,
                narrative=form.narrative.data or "",
                nil_reason=form.nil_reason.data,
                expected_version=form.expected_version,
            )
            if reply:
                threads.post(line, reply, by=current_user, submission_number=ret.submission_count)

        most = line.commitment.measure.unit.most
        if not derived and most is not None and figure is not None and figure > most:
            unit = line.commitment.measure.unit
            form.figure.errors = [f"The figure must be {quantity(most, unit)} or less"]
        elif figure == 0 and not form.nil_reason.data:
            form.nil_reason.errors = ["Enter why nothing was delivered this quarter"]
        elif _save(form, save):
            if reply:
                flash(f"Your reply on {line.commitment.measure.name} was saved", "success")
            return redirect(url_for("supplier.view_return", return_id=ret.id))
        form.version.data = str(ret.version)
    return render_template(
        "supplier/line_form.html",
        form=form,
        ret=ret,
        line=line,
        derived=derived,
        queried=queried,
        thread=threads.of_return(ret.id).get(line.id, []),
        title=line.commitment.measure.name,
    )


def _double_claim_warnings(ret: Return) -> list[str]:
    return [sentence for _, sentence in workflow.described_double_claims(ret, for_council=False)]


@supplier.route("/returns/<int:return_id>/workforce")
@supplier_users
def workforce_records(return_id: int) -> str:
    ret = _return(return_id)
    return render_template(
        "supplier/workforce.html",
        ret=ret,
        form=ActionForm(version=ret.version),
        # A page of the people; the figures above them are counted from all of them.
        people=workforce.page_of(ret.id, page=int_arg("page", 1) or 1),
        counted=workflow.figures(ret),
        lines=[line for line in ret.lines if line.commitment.measure.derivation is not None],
        double_claims=_double_claim_warnings(ret),
        kept=workflow.kept_schedules(ret),
        title="People on this contract",
    )


@supplier.route("/returns/<int:return_id>/workforce/copy", methods=["POST"])
@supplier_users
def copy_people(return_id: int) -> Response:
    ret = _return(return_id)
    form = ActionForm()
    copied: list[int] = []
    if ret.status.is_editable and form.validate_on_submit():
        if _save(
            form,
            lambda: copied.append(
                workflow.copy_last_quarter(ret, expected_version=form.expected_version)
            ),
        ):
            flash(
                f"{count(copied[0], 'person', 'people')} copied from last quarter"
                if copied[0]
                else "Nobody to copy: no earlier return has people still engaged",
                "success",
            )
        else:
            flash(CONFLICT, "info")
    return redirect(url_for("supplier.workforce_records", return_id=ret.id))


@supplier.route("/returns/<int:return_id>/workforce/<int:entry_id>/remove", methods=["POST"])
@supplier_users
def remove_person(return_id: int, entry_id: int) -> Response:
    ret = _return(return_id)
    form = ActionForm()
    if (
        ret.status.is_editable
        and form.validate_on_submit()
        and not _save(
            form,
            lambda: workflow.remove_person(ret, entry_id, expected_version=form.expected_version),
        )
    ):
        flash(CONFLICT, "info")
    return redirect(url_for("supplier.workforce_records", return_id=ret.id))


PERSON_FIELDS = {
    "reference": "worker_reference",
    "postcode": "postcode",
    "age_band": "age_band",
    "end_before_start": "ends_on",
    "hours": "weekly_hours",
    "share": "share",
    "new_hire": "hire",
    "level": "apprenticeship_level",
    "standard": "apprenticeship_standard",
    "pay": "hourly_pay",
    "contract_type": "contract_type",
    "guaranteed": "guaranteed_hours",
}
FIELD_OF_MESSAGE = {
    message: next(field for prefix, field in PERSON_FIELDS.items() if key.startswith(prefix))
    for key, message in workforce_import.MESSAGES.items()
}


@supplier.route("/returns/<int:return_id>/workforce/add", methods=["GET", "POST"])
@supplier_users
def add_person(return_id: int) -> str | Response:
    ret = _return(return_id)
    if not ret.status.is_editable:
        return redirect(url_for("supplier.workforce_records", return_id=ret.id))
    form = PersonForm(version=ret.version)
    require_fair_work = workflow.needs_fair_work(ret)
    form.fair_work_required(require_fair_work)
    if form.is_submitted():
        # The record's own rules run even when the form found a date it could not read, so
        # that every mistake shows at once, not one more after each fix.
        form_is_valid = form.validate()
        unreadable = {field.name for field in form if field.errors}
        messages: list[str] = []
        record = workforce_import.parse_record(
            {
                "Worker reference": form.worker_reference.data,
                "Home postcode": form.postcode.data,
                "Age band": form.age_band.data,
                "Start date": form.starts_on.data,
                "End date": form.ends_on.data,
                "Weekly hours": form.weekly_hours.data,
                "Share of time on this contract (%)": form.share.data,
                "New hire or retained": form.hire.data,
                "Apprenticeship level": form.apprenticeship_level.data,
                "Apprenticeship standard": form.apprenticeship_standard.data,
                "Basic hourly pay (£)": form.hourly_pay.data,
                "Contract type": form.contract_type.data,
                "Guaranteed weekly hours": form.guaranteed_hours.data,
            },
            messages,
            period_starts_on=ret.period_starts_on,
            period_ends_on=ret.period_ends_on,
            require_fair_work=require_fair_work,
        )
        for message in messages:
            field = FIELD_OF_MESSAGE.get(message, "starts_on")
            if field not in unreadable:  # "Enter the start date" after "must be a real date"
                getattr(form, field).errors = [*getattr(form, field).errors, message]
        if form_is_valid and record is not None:
            if workforce.has_entry(ret.id, record.worker_reference, record.starts_on):
                form.worker_reference.errors = [
                    "This person is already recorded with the same start date"
                ]
            elif _save(
                form,
                lambda: workflow.add_person(ret, record, expected_version=form.expected_version),
            ):
                flash(f"{record.worker_reference} added", "success")
                return redirect(url_for("supplier.workforce_records", return_id=ret.id))
        form.version.data = str(ret.version)
    return render_template("supplier/person_form.html", form=form, ret=ret, title="Add a person")


@supplier.route("/returns/<int:return_id>/workforce/upload", methods=["GET", "POST"])
@supplier_users
def upload_workforce(return_id: int) -> str | Response:
    ret = _return(return_id)
    if not ret.status.is_editable:
        return redirect(url_for("supplier.workforce_records", return_id=ret.id))
    form = UploadForm(version=ret.version)
    plan = unreadable = None
    if form.validate_on_submit():
        try:
            table = spreadsheets.read_table(form.file.data.read())
        except spreadsheets.UnreadableFile as problem:
            unreadable = str(problem)
            form.file.errors = [unreadable]
        else:
            plan = workforce_import.plan_workforce(
                table,
                period_starts_on=ret.period_starts_on,
                period_ends_on=ret.period_ends_on,
                require_fair_work=workflow.needs_fair_work(ret),
            )
            records = plan.records
            saved: list[bool] = []
            if plan.is_valid and _save(
                form,
                lambda: saved.append(
                    workflow.upload_workforce(ret, records, expected_version=form.expected_version)
                ),
            ):
                if not saved[0]:  # it would replace people: the supplier sees what changes first
                    return redirect(url_for("supplier.confirm_upload", return_id=ret.id))
                flash(f"{count(len(records), 'person', 'people')} uploaded", "success")
                return redirect(url_for("supplier.workforce_records", return_id=ret.id))
            if plan.errors:
                need = "needs" if len(plan.errors) == 1 else "need"
                form.file.errors = [
                    f"{count(len(plan.errors), 'problem')} {need} fixing: nobody has been saved"
                ]
        form.version.data = str(ret.version)
        logs.upload_refused("workforce", form.file)
    return render_template(
        "supplier/workforce_upload.html",
        form=form,
        ret=ret,
        plan=plan,
        columns=workforce_import.COLUMNS,
        fair_work_required=workflow.needs_fair_work(ret),
        title="Upload people",
    )


@supplier.route("/returns/<int:return_id>/workforce/upload/confirm", methods=["GET", "POST"])
@supplier_users
def confirm_upload(return_id: int) -> str | Response:
    ret = _return(return_id)
    people_page = url_for("supplier.workforce_records", return_id=ret.id)
    # Read without its records: a POST needs only to know that an upload is waiting.
    pending = workflow.kept_schedules(ret).get(workforce.PENDING)
    if pending is None:
        flash("No upload is waiting to be confirmed", "info")
        return redirect(people_page)
    uploaded = pending.people  # read now: confirming deletes the kept upload
    form = ActionForm(version=ret.version)
    if form.validate_on_submit():
        replaced: list[int | None] = []
        if not _save(
            form,
            lambda: replaced.append(
                workflow.confirm_upload(ret, expected_version=form.expected_version)
            ),
        ):
            # The people changed since this page was drawn: show what the upload changes now.
            flash(CONFLICT, "info")
            return redirect(url_for("supplier.confirm_upload", return_id=ret.id))
        flash(
            f"{count(replaced[0] or 0, 'person', 'people')} replaced by the "
            f"{count(uploaded, 'person', 'people')} in the upload",
            "success",
        )
        return redirect(people_page)
    return render_template(
        "supplier/workforce_upload_confirm.html",
        ret=ret,
        form=form,
        change=workflow.upload_changes(ret, pending),
        describe=schedules.describe,
        shown=CHANGES_SHOWN,
        title="Check what the upload changes",
    )


CHANGES_SHOWN = 50  # people listed under each heading of the confirmation page


@supplier.route("/returns/<int:return_id>/workforce/upload/cancel", methods=["POST"])
@supplier_users
def cancel_upload(return_id: int) -> Response:
    ret = _return(return_id)
    if ActionForm().validate_on_submit():
        workflow.cancel_upload(ret)
        commit()
        flash("Upload cancelled: the people recorded have not changed", "info")
    return redirect(url_for("supplier.workforce_records", return_id=ret.id))


@supplier.route("/returns/<int:return_id>/workforce/restore", methods=["POST"])
@supplier_users
def restore_people(return_id: int) -> Response:
    ret = _return(return_id)
    form = ActionForm()
    restored: list[int | None] = []
    if ret.status.is_editable and form.validate_on_submit():
        if not _save(
            form,
            lambda: restored.append(
                workflow.restore_previous(ret, expected_version=form.expected_version)
            ),
        ):
            flash(CONFLICT, "info")
        elif restored[0] is not None:
            flash(
                f"{count(restored[0], 'person', 'people')} put back as before the upload",
                "success",
            )
    return redirect(url_for("supplier.workforce_records", return_id=ret.id))


@supplier.route("/workforce-template.<any(csv, xlsx):file_format>")
@supplier_users
def workforce_template(file_format: str) -> Response:
    return exports.download(
        workforce_import.COLUMNS, workforce_import.EXAMPLE_ROWS, "workforce-template", file_format
    )


@supplier.route("/returns/<int:return_id>/evidence", methods=["GET", "POST"])
@supplier_users
def manage_evidence(return_id: int) -> str | Response:
    ret = _return(return_id)
    form = EvidenceForm(version=ret.version)
    form.attach_to.choices = [SelectChoice("", "The return as a whole")] + [
        SelectChoice(str(line.commitment_id), line.commitment.measure.name) for line in ret.lines
    ]
    if ret.status.is_editable and form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        max_bytes = current_settings().evidence_max_mb * 1024 * 1024
        try:
            checked = check_file(upload.filename or "evidence", content, max_bytes=max_bytes)
        except RefusedFile as refused:
            form.file.errors = [str(refused)]
        else:
            commitment_id = whole_number(form.attach_to.data)
            if commitment_id not in {None, *(line.commitment_id for line in ret.lines)}:
                abort(400)

            def attach() -> None:
                returns.check_editable(ret, form.expected_version)
                evidence.attach(
                    ret.id, checked, content, commitment_id=commitment_id, by=current_user
                )
                returns.touch(ret)

            if _save(form, attach):
                flash(f"{checked.filename} uploaded", "success")
                return redirect(url_for("supplier.manage_evidence", return_id=ret.id))
        form.version.data = str(ret.version)
        logs.upload_refused("evidence", form.file)
    return render_template(
        "supplier/evidence.html",
        form=form,
        ret=ret,
        files=evidence.files_of(ret.id),
        action_form=ActionForm(),
        max_mb=current_settings().evidence_max_mb,
        title="Evidence",
    )


@supplier.route("/returns/<int:return_id>/evidence/<int:file_id>/remove", methods=["POST"])
@supplier_users
def remove_evidence(return_id: int, file_id: int) -> Response:
    ret = _return(return_id)
    file = evidence.get(ret.id, file_id) or abort(404)
    form = ActionForm()
    if form.validate_on_submit() and ret.status.is_editable:

        def remove() -> None:
            returns.check_editable(ret, form.expected_version)
            evidence.remove(file)
            returns.touch(ret)

        if _save(form, remove):
            flash(f"{file.filename} removed", "success")
        else:
            flash(CONFLICT, "info")
    return redirect(url_for("supplier.manage_evidence", return_id=ret.id))


@supplier.route("/returns/<int:return_id>/evidence/<int:file_id>")
@supplier_users
@sandboxed_download
def download_evidence(return_id: int, file_id: int) -> Response:
    ret = _return(return_id)
    return exports.evidence_download(evidence.get(ret.id, file_id) or abort(404))


@supplier.route("/returns/<int:return_id>/check", methods=["GET", "POST"])
@supplier_users
def check_return(return_id: int) -> str | Response:
    ret = _return(return_id)
    if not ret.status.is_editable:
        return redirect(url_for("supplier.view_return", return_id=ret.id))
    form = SubmitReturnForm(version=ret.version)
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            problems = workflow.submit(
                ret,
                by=current_user,
                declaration_confirmed=bool(form.confirm.data),
                expected_version=form.expected_version or 0,
            )
        except (returns.Conflict, StaleDataError):
            rollback()
            form.version.errors = [CONFLICT]
        else:
            if not problems:
                return redirect(url_for("supplier.return_submitted", return_id=ret.id))
            rollback()
            form.confirm.errors = problems
        form.version.data = str(ret.version)
    shares, rate = workflow.fair_work_now(ret)  # counted once, for the shares and the lines
    return render_template(
        "supplier/check_return.html",
        form=form,
        ret=ret,
        declaration=workflow.DECLARATION,
        people=workforce.count(ret.id),
        files=evidence.files_of(ret.id),
        double_claims=_double_claim_warnings(ret),
        threads=threads.of_return(ret.id),
        fair_work=(shares, rate),
        nobody=workflow.nothing_to_count(ret, shares),
        title="Check your return",
    )


@supplier.route("/returns/<int:return_id>/submitted")
@supplier_users
def return_submitted(return_id: int) -> str:
    ret = _return(return_id)
    if ret.status.is_editable:
        abort(404)
    return render_template("supplier/return_submitted.html", ret=ret, title="Return submitted")


# The supplier's overview and their flags


@supplier.route("/")
@supplier_users
def dashboard() -> str:
    organisation_id = current_user.organisation_id
    return render_template(
        "supplier/dashboard.html",
        contracts=overview.supplier_contracts(organisation_id),
        to_fix=overview.returns_to_fix(organisation_id),
        social_value=overview.supplier_social_value(organisation_id),
        flags=flags.list_for(current_user, flags.FlagFilters(), page=1),
        today=calendar.today(),
        title="Overview",
    )


# Recovery plans


def _flag(flag_id: int) -> Flag:
    return flags.get_for(current_user, flag_id) or abort(404)


def _save_plan(flag: Flag, form: VersionedForm, change: Callable[[], T]) -> tuple[bool, T | None]:
    """Make a change to a recovery plan: (True, what the change returned), or (False, None)
    with the form saying that someone else got there first; or, if the plan can no longer
    change, back to the flag's page saying why."""
    try:
        return True, change()
    except recovery.Conflict:
        rollback()
        form.version.errors = [PLAN_CONFLICT]
        return False, None
    except recovery.NotAllowed as refused:
        rollback()
        flash(str(refused), "info")
        abort(redirect(url_for("supplier.view_flag", flag_id=flag.id)))


def _plan_news(done: str, before: PlanStatus) -> str:
    if before is PlanStatus.ACCEPTED:
        return (
            f"{done}. {current_settings().council_name} had accepted your plan, so it is "
            "waiting for the council to accept it again"
        )
    return f"{done}. Your plan is waiting for the council"


@supplier.route("/flags/<int:flag_id>", methods=["GET", "POST"])
@supplier_users
def view_flag(flag_id: int) -> str | Response:
    flag = _flag(flag_id)
    form = RecoveryActionForm(version=flag.plan_version)
    if not flag.status.is_closed and form.validate_on_submit() and form.due_on.data:
        due_on = form.due_on.data
        saved, before = _save_plan(
            flag,
            form,
            lambda: plan.add_action(
                flag,
                action=form.action.data or "",
                owner=form.owner.data or "",
                due_on=due_on,
                by=current_user,
                expected_version=form.expected_version,
            ),
        )
        if saved and before is not None:
            flash(_plan_news("Added to your recovery plan", before), "success")
            return redirect(url_for("supplier.view_flag", flag_id=flag.id))
        form.version.data = str(flag.plan_version)
    return render_template(
        "supplier/flag.html", form=form, **flag_page.context(flag, audience="supplier")
    )


def _open_action(flag_id: int, action_id: int) -> tuple[Flag, RecoveryAction | None]:
    """The flag and its action; no action if it cannot change any more (flag closed, or the
    action done), so the page sends the supplier back to the flag."""
    flag = _flag(flag_id)
    step = recovery.get_action(flag, action_id) or abort(404)
    if flag.status.is_closed or step.done_on is not None:
        return flag, None
    return flag, step


@supplier.route("/flags/<int:flag_id>/actions/<int:action_id>", methods=["GET", "POST"])
@supplier_users
def change_action(flag_id: int, action_id: int) -> str | Response:
    flag, step = _open_action(flag_id, action_id)
    if step is None:
        return redirect(url_for("supplier.view_flag", flag_id=flag.id))
    form = ChangeActionForm(obj=step, version=flag.plan_version)
    form.kept_due_on = step.due_on
    if form.validate_on_submit() and form.due_on.data:
        due_on = form.due_on.data
        saved, before = _save_plan(
            flag,
            form,
            lambda: plan.change_action(
                flag,
                step,
                action=form.action.data or "",
                owner=form.owner.data or "",
                due_on=due_on,
                by=current_user,
                expected_version=form.expected_version,
            ),
        )
        if saved:
            if before is None:
                flash("Nothing was changed", "info")
            else:
                flash(_plan_news("Action changed", before), "success")
            return redirect(url_for("supplier.view_flag", flag_id=flag.id))
        form.version.data = str(flag.plan_version)
    return render_template(
        "supplier/change_action.html",
        form=form,
        flag=flag,
        title="Change an action",
    )


@supplier.route("/flags/<int:flag_id>/actions/<int:action_id>/done", methods=["GET", "POST"])
@supplier_users
def mark_action_done(flag_id: int, action_id: int) -> str | Response:
    flag, step = _open_action(flag_id, action_id)
    if step is None:
        return redirect(url_for("supplier.view_flag", flag_id=flag.id))
    form = ActionDoneForm(version=flag.plan_version)
    if form.validate_on_submit() and form.done_on.data:
        done_on = form.done_on.data
        saved, _ = _save_plan(
            flag,
            form,
            lambda: plan.mark_done(
                flag,
                step,
                done_on=done_on,
                by=current_user,
                expected_version=form.expected_version,
            ),
        )
        if saved:
            flash("Action marked as done", "success")
            return redirect(url_for("supplier.view_flag", flag_id=flag.id))
        form.version.data = str(flag.plan_version)
    return render_template(
        "supplier/action_done.html",
        form=form,
        flag=flag,
        step=step,
        title="Mark an action as done",
    )
