"""Contract managers (and administrators): contracts, commitments, imports and suppliers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from portal import calendar, contract_page, exports, logs, spreadsheets
from portal.admin.forms import ConfirmForm, SupplierInviteForm
from portal.auth import invitations
from portal.auth.permissions import council_staff
from portal.config import current_settings
from portal.council.forms import (
    CommitmentChangeForm,
    CommitmentForm,
    ConfirmImportForm,
    ContractForm,
    ImportForm,
    RetireCommitmentForm,
)
from portal.data import (
    audit,
    commit,
    contract_imports,
    contracts,
    evidence,
    local_areas,
    measures,
    organisations,
    returns,
    rollback,
    spend_analysis,
    threads,
    users,
    versions,
    workforce,
)
from portal.data import dashboard as overview
from portal.data.models import Commitment, Contract, ContractImport, Measure, Return
from portal.data.types import LineReview, OrganisationKind, ReturnStatus, Role
from portal.domain.contract_import import (
    COLUMNS,
    ImportPlan,
    example_rows,
    plan_import,
    references_in,
)
from portal.domain.contracts import ContractStatus, is_kpi_by_default
from portal.domain.periods import ReportingPeriod, long_date, quarter_label
from portal.domain.profiles import (
    CHOICE,
    ProfileChoice,
    field_name,
    parse_plan,
    replan,
    typed_from,
)
from portal.domain.reviews import REOPEN_LINES, REOPEN_REASON, review_decisions
from portal.domain.reviews import reopening as reopening_of
from portal.editing import conflicted, refused_if_stale, saved_now
from portal.formatting import count, listing, quantity
from portal.forms import ConfirmChangeForm, conflict_message
from portal.notifications import emails
from portal.request_input import int_arg, text_arg, whole_number
from portal.security import sandboxed_download
from portal.supplier.forms import CONFLICT
from portal.template_helpers import period_of
from portal.workflows import compliance
from portal.workflows import profiles as profile_rules
from portal.workflows import returns as workflow

council = Blueprint("council", __name__, url_prefix="/council")

CONTRACT_CONFLICT = conflict_message("this contract")
COMMITMENT_CONFLICT = conflict_message("this commitment")
PROFILE_CONFLICT = conflict_message("this commitment or its quarterly profile")


def commit_contract(contract_id: int) -> None:
    """Save a change to a contract with its compliance recomputed in the same transaction."""
    compliance.refresh_contract(contract_id, calendar.today())
    commit()


def page_number() -> int:
    """The list page asked for (the first when none is)."""
    return int_arg("page", 1) or 1


# Contract lists and exports


def shown_scope() -> str:
    """ "mine" or "all" contracts, as asked; a contract manager sees their own first, an
    administrator all of them."""
    default_scope = "mine" if current_user.role is Role.CONTRACT_MANAGER else "all"
    scope = request.args.get("show", default_scope)
    return scope if scope in ("mine", "all") else default_scope


def _filters() -> tuple[contracts.ContractFilters, dict[str, str]]:
    """The list filters from the query string, and the same as URL arguments for links."""
    scope = shown_scope()
    status = request.args.get("status", "")
    sort = request.args.get("sort", "reference")
    args = {
        "show": scope,
        "supplier": text_arg("supplier"),
        "status": status if status in set(ContractStatus) else "",
        "measure": str(int_arg("measure") or ""),
        "sort": sort if sort in contracts.SORTS else "reference",
    }
    filters = contracts.ContractFilters(
        today=calendar.today(),
        managed_by=current_user.id if scope == "mine" else None,
        supplier_name=args["supplier"].strip(),
        status=ContractStatus(args["status"]) if args["status"] else None,
        measure_id=int_arg("measure"),
        sort=args["sort"],
    )
    return filters, args


@council.route("/contracts")
@council_staff
def list_contracts() -> str:
    filters, args = _filters()
    page = contracts.list_for(current_user, filters, page=page_number())
    return render_template(
        "council/contracts.html",
        page=page,
        commitment_counts=contracts.count_commitments([c.id for c in page.items]),
        standings=contracts.standings([c.id for c in page.items]),
        measures=contracts.measures_committed(current_user.organisation_id),
        filters=filters,
        args=args,
        statuses=list(ContractStatus),
        title="Contracts",
    )


@council.route("/contracts/export.<any(csv, xlsx):file_format>")
@council_staff
def export_contracts(file_format: str) -> Response:
    filters, _ = _filters()
    rows = exports.contract_rows(contracts.export_for(current_user, filters), filters.today)
    return exports.download(exports.CONTRACT_COLUMNS, rows, "contracts", file_format)


# One contract


def _contract(contract_id: int) -> Contract:
    return contracts.get_for(current_user, contract_id) or abort(404)


@council.route("/contracts/<int:contract_id>")
@council_staff
def view_contract(contract_id: int) -> str:
    contract = _contract(contract_id)
    return render_template(
        "council/contract.html",
        **contract_page.context(contract, audience="council"),
        history=audit.contract_history(contract.id),
    )


@council.route("/contracts/<int:contract_id>/quarters.<any(csv, xlsx):file_format>")
@council_staff
def export_quarters(contract_id: int, file_format: str) -> Response:
    contract = _contract(contract_id)
    return contract_page.quarters_download(contract, file_format)


# The contract form's answer -> Contract.uses_london_living_wage (None: the council decides).
LIVING_WAGE_CHOICES: dict[str, bool | None] = {"council": None, "london": True, "uk": False}


def _contract_form_choices(form: ContractForm) -> None:
    council_id = current_user.organisation_id
    form.supplier.choices = [SelectChoice("", "Select a supplier")] + [
        SelectChoice(str(s.id), s.name) for s in organisations.suppliers(current_user)
    ]
    form.manager.choices = [SelectChoice("", "Select a contract manager")] + [
        SelectChoice(str(u.id), u.full_name) for u in users.contract_managers(council_id)
    ]
    council_rate = "London" if current_user.organisation.is_in_london else "the rest of the UK"
    form.living_wage.choices = [
        SelectChoice("council", f"The council's rate ({council_rate})"),
        *form.living_wage.choices[1:],
    ]
    default = local_areas.default_for(council_id)
    form.local_area.choices = [
        SelectChoice(
            "", f"The council's default ({default.name})" if default else "The council's default"
        )
    ] + [
        SelectChoice(str(a.id), a.name)
        for a in local_areas.list_for(council_id)
        if not a.is_default
    ]


def _save_contract(form: ContractForm, contract: Contract | None) -> Contract | None:
    """Create or update from a valid form; None (with errors on the form) if it clashes."""
    council_id = current_user.organisation_id
    supplier = (
        organisations.get_supplier_for(current_user, form.supplier.data)
        if form.supplier.data is not None
        else None
    )
    if form.new_supplier.data:
        if organisations.name_taken(form.new_supplier.data):
            form.new_supplier.errors.append(
                "A supplier with this name already exists: select it"
                if organisations.supplier_named(current_user, form.new_supplier.data)
                else "An organisation with this name already exists"
            )
            return None
        supplier = organisations.create(
            name=form.new_supplier.data,
            kind=OrganisationKind.SUPPLIER,
            is_sme=False,
            is_vcse=False,
            postcode=form.new_supplier_postcode.data,
            by=current_user,
        )
    manager = next(
        (u for u in users.contract_managers(council_id) if u.id == form.manager.data), None
    )
    area = next((a for a in local_areas.list_for(council_id) if a.id == form.local_area.data), None)
    if supplier is None:
        form.supplier.errors.append("Select a supplier")
    if manager is None:
        form.manager.errors.append("Select the contract manager")
    if contract is not None and form.reporting_starts_on.data:
        sent = contracts.first_sent_period(contract.id)
        if sent is not None and form.reporting_starts_on.data > sent.period_ends_on:
            form.reporting_starts_on.errors.append(
                f"Reporting start date must be on or before {long_date(sent.period_ends_on)}: "
                f"the supplier has already sent the {period_of(sent)} return"
            )
    if supplier is None or manager is None or form.reporting_starts_on.errors:
        return None
    value = form.value.data or Decimal(0)
    fields: dict[str, Any] = {
        "reference": form.reference.data or "",
        "title": form.title.data or "",
        "value": value,
        "start_on": form.start_on.data,
        "end_on": form.end_on.data,
        "reporting_starts_on": form.reporting_starts_on.data,
        "is_kpi_contract": {"yes": True, "no": False}.get(
            form.kpi.data or "", is_kpi_by_default(value)
        ),
        "uses_london_living_wage": LIVING_WAGE_CHOICES.get(form.living_wage.data or ""),
    }
    try:
        if contract is None:
            return contracts.create(
                council=current_user.organisation,
                supplier=supplier,
                manager=manager,
                local_area=area,
                by=current_user,
                **fields,
            )
        contracts.update(
            contract,
            by=current_user,
            supplier_id=supplier.id,
            manager_id=manager.id,
            local_area_id=area.id if area else None,
            **fields,
        )
        return contract
    except contracts.ReferenceInUse:
        form.reference.errors.append("A contract with this reference already exists")
        return None


@council.route("/contracts/new", methods=["GET", "POST"])
@council_staff
def new_contract() -> str | Response:
    form = ContractForm(data={"manager": current_user.id})
    _contract_form_choices(form)
    if form.validate_on_submit():
        contract = _save_contract(form, None)
        if contract is not None:
            commit_contract(contract.id)
            flash(f"Contract {contract.reference} created. Now add its commitments.", "success")
            return redirect(url_for("council.view_contract", contract_id=contract.id))
    return render_template("council/contract_form.html", form=form, title="Add a contract")


@council.route("/contracts/<int:contract_id>/edit", methods=["GET", "POST"])
@council_staff
def edit_contract(contract_id: int) -> str | Response:
    contract = _contract(contract_id)
    form = ContractForm(
        data={
            "reference": contract.reference,
            "title": contract.title,
            "supplier": contract.supplier_id,
            "manager": contract.manager_id,
            "value": contract.value,
            "start_on": contract.start_on,
            "end_on": contract.end_on,
            "reporting_starts_on": contract.reporting_starts_on,
            "local_area": contract.local_area_id,
            "kpi": "yes" if contract.is_kpi_contract else "no",
            "living_wage": next(
                key
                for key, value in LIVING_WAGE_CHOICES.items()
                if value is contract.uses_london_living_wage
            ),
            "version": contract.version,
        }
    )
    _contract_form_choices(form)
    runs = (contract.start_on, contract.end_on)
    if form.validate_on_submit():
        with refused_if_stale(form, contract, CONTRACT_CONFLICT):
            versions.check(contract, form.expected_version)
            if _save_contract(form, contract) is not None:
                reset = profile_rules.reset_if_dates_break(contract, runs, by=current_user)
                commit_contract(contract.id)
                flash(f"Contract updated{_even_again(reset)}", "success")
                return redirect(url_for("council.view_contract", contract_id=contract.id))
    return render_template(
        "council/contract_form.html",
        form=form,
        contract=contract,
        saved_now=saved_now(form, contract),
        title=f"Edit {contract.reference}",
    )


def _even_again(measures: list[str]) -> str:
    """The end of the message after an edit that set profiles back to the even spread."""
    if not measures:
        return ""
    one = len(measures) == 1
    return (
        f". {listing(measures)} {'is' if one else 'are'} back to an even spread: "
        f"{'its quarterly profile' if one else 'their quarterly profiles'} no longer fitted "
        "the new dates"
    )


# Commitments


def _commitment(contract: Contract, commitment_id: int) -> Commitment:
    return contracts.get_commitment(contract, commitment_id) or abort(404)


@council.route("/contracts/<int:contract_id>/commitments/new", methods=["GET", "POST"])
@council_staff
def add_commitment(contract_id: int) -> str | Response:
    contract = _contract(contract_id)
    taken = {c.measure_id for c in contract.commitments}
    available = [
        m
        for m in measures.catalogue(contract.council_id, include_retired=False)
        if m.id not in taken
    ]
    form = CommitmentForm()
    form.measure.choices = [SelectChoice("", "Select a measure")] + [
        SelectChoice(str(m.id), f"{m.name} ({m.kind.label.lower()}, {m.unit.label})")
        for m in available
    ]
    if form.validate_on_submit():
        measure = next((m for m in available if m.id == form.measure.data), None)
        if measure is None:
            form.measure.errors.append("Select a measure")
        elif not _over_the_most(form, measure):
            contracts.add_commitment(
                contract,
                measure,
                target=form.target.data or Decimal(0),
                note=form.note.data or "",
                by=current_user,
            )
            commit_contract(contract.id)
            flash(f"{measure.name} added", "success")
            return redirect(url_for("council.view_contract", contract_id=contract.id))
    return render_template(
        "council/commitment_form.html",
        form=form,
        contract=contract,
        title=f"Add a commitment to {contract.reference}",
    )


def _over_the_most(form: CommitmentForm | CommitmentChangeForm, measure: Measure) -> bool:
    """A target above what the measure's unit allows (a share above 100%) is an error."""
    most = measure.unit.most
    if most is None or form.target.data is None or form.target.data <= most:
        return False
    form.target.errors.append(f"Target must be {quantity(most, measure.unit)} or less")
    return True


# How the success message ends when saving a commitment changed its quarterly profile.
PROFILE_CHANGED = {
    ProfileChoice.RESCALE: ": its quarterly profile was rescaled to the target",
    ProfileChoice.ENTER: ", with its new quarterly profile",
    ProfileChoice.EVEN: ": it now uses an even spread over the contract",
}


@council.route(
    "/contracts/<int:contract_id>/commitments/<int:commitment_id>/edit", methods=["GET", "POST"]
)
@council_staff
def edit_commitment(contract_id: int, commitment_id: int) -> str | Response:
    """The target and note; with a quarterly profile, what happens to it, saved together."""
    contract = _contract(contract_id)
    commitment = _commitment(contract, commitment_id)
    form = CommitmentChangeForm(obj=commitment, version=commitment.version)
    needs_reason = contract.start_on <= calendar.today()
    saved = contracts.profile_of(commitment)
    periods = calendar.periods_of(contract) if saved else []
    typed = typed_from(saved, periods) | {CHOICE: ProfileChoice.RESCALE}
    errors: dict[str, str] = {}
    if form.is_submitted():
        typed = {name: request.form.get(name, "").strip() for name in typed}
        valid = form.validate() and not _over_the_most(form, commitment.measure)
        target = None if form.target.errors else form.target.data
        plan, errors = replan(
            typed,
            saved,
            periods,
            kind=commitment.measure.kind,
            old_target=commitment.target,
            new_target=target,
        )
        changed = target is not None and target != commitment.target
        if needs_reason and changed and not form.reason.data:
            form.reason.errors.append("Enter the reason for changing the target")
            valid = False
        if valid and not errors:
            with refused_if_stale(form, commitment, COMMITMENT_CONFLICT):
                versions.check(commitment, form.expected_version)
                contracts.change_commitment(
                    commitment,
                    target=target or commitment.target,
                    note=form.note.data or "",
                    by=current_user,
                    reason=form.reason.data,
                )
                profile_changed = contracts.save_plan(
                    commitment, plan, by=current_user, reason=form.reason.data
                )
                commit_contract(contract.id)
        if valid and not errors and not conflicted(form):
            flash(
                f"{commitment.measure.name} updated"
                + (PROFILE_CHANGED[ProfileChoice(typed[CHOICE])] if profile_changed else ""),
                "success",
            )
            return redirect(url_for("council.view_contract", contract_id=contract.id))
    return render_template(
        "council/commitment_change.html",
        form=form,
        contract=contract,
        commitment=commitment,
        needs_reason=needs_reason,
        periods=periods,
        typed=typed,
        field_errors=errors,
        saved_now=saved_now(form, commitment),
        title=f"Change {commitment.measure.name}",
    )


@council.route(
    "/contracts/<int:contract_id>/commitments/<int:commitment_id>/retire", methods=["GET", "POST"]
)
@council_staff
def retire_commitment(contract_id: int, commitment_id: int) -> str | Response:
    contract = _contract(contract_id)
    commitment = _commitment(contract, commitment_id)
    if commitment.is_retired:
        abort(404)
    form = RetireCommitmentForm(version=commitment.version)
    if form.validate_on_submit():
        with refused_if_stale(form, commitment, COMMITMENT_CONFLICT):
            versions.check(commitment, form.expected_version)
            contracts.retire_commitment(commitment, by=current_user, reason=form.reason.data or "")
            commit_contract(contract.id)
            flash(f"{commitment.measure.name} retired: it is no longer monitored", "success")
            return redirect(url_for("council.view_contract", contract_id=contract.id))
    return render_template(
        "council/retire_commitment.html",
        form=form,
        contract=contract,
        commitment=commitment,
        title=f"Retire {commitment.measure.name}?",
    )


@council.route(
    "/contracts/<int:contract_id>/commitments/<int:commitment_id>/reinstate", methods=["POST"]
)
@council_staff
def reinstate_commitment(contract_id: int, commitment_id: int) -> Response:
    contract = _contract(contract_id)
    commitment = _commitment(contract, commitment_id)
    form = ConfirmChangeForm()
    if form.validate_on_submit():
        if form.expected_version != commitment.version or not commitment.is_retired:
            flash(COMMITMENT_CONFLICT, "error")  # pressed on an older page
        else:
            contracts.reinstate_commitment(commitment, by=current_user)
            commit_contract(contract.id)
            flash(f"{commitment.measure.name} is monitored again", "success")
    return redirect(url_for("council.view_contract", contract_id=contract.id))


@council.route(
    "/contracts/<int:contract_id>/commitments/<int:commitment_id>/profile", methods=["GET", "POST"]
)
@council_staff
def edit_profile(contract_id: int, commitment_id: int) -> str | Response:
    """An explicit figure for each quarter instead of the even spread (or back to it)."""
    contract = _contract(contract_id)
    commitment = _commitment(contract, commitment_id)
    periods = calendar.periods_of(contract)
    typed = typed_from(contracts.profile_of(commitment), periods)
    errors: dict[str, str] = {}
    form = ConfirmChangeForm(version=commitment.version)
    if form.validate_on_submit():
        even = request.form.get("action") == "even"
        typed = {name: request.form.get(name, "").strip() for name in typed}
        planned, errors = (
            (None, {})
            if even
            else parse_plan(typed, periods, kind=commitment.measure.kind, target=commitment.target)
        )
        if not errors:
            with refused_if_stale(form, commitment, PROFILE_CONFLICT):
                versions.check(commitment, form.expected_version)
                contracts.save_plan(commitment, planned, by=current_user)
                commit_contract(contract.id)
                flash(
                    "Back to an even spread over the contract"
                    if even
                    else f"Quarterly profile saved for {commitment.measure.name}",
                    "success",
                )
                return redirect(url_for("council.view_contract", contract_id=contract.id))
    return render_template(
        "council/profile_form.html",
        form=form,
        contract=contract,
        commitment=commitment,
        periods=periods,
        typed=typed,
        field_errors=errors,
        saved_now=_profile_saved_now(form, commitment, periods),
        title=f"Quarterly profile for {commitment.measure.name}",
    )


def _profile_saved_now(
    form: ConfirmChangeForm, commitment: Commitment, periods: list[ReportingPeriod]
) -> list[tuple[str, str]]:
    """After a conflict: the profile as it is saved now, quarter by quarter."""
    if not conflicted(form):
        return []
    saved = contracts.profile_of(commitment)
    if not saved:
        return [("Quarterly profile", "An even spread over the contract")]
    now = typed_from(saved, periods)
    return [(period.label, now[field_name(period)] or "None") for period in periods]


# Bulk import


@council.route("/contracts/import", methods=["GET", "POST"])
@council_staff
def import_contracts() -> str | Response:
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        try:
            rows = spreadsheets.read_table(content)
        except spreadsheets.UnreadableFile as problem:
            form.file.errors = [str(problem)]
            logs.upload_refused("contract import", form.file)
        else:
            stored = contract_imports.store(
                current_user, filename=upload.filename or "upload", content=content, rows=rows
            )
            commit()
            return redirect(url_for("council.preview_import", import_id=stored.id))
    start_month = current_settings().financial_year_start_month
    return render_template(
        "council/import.html",
        form=form,
        columns=COLUMNS,
        quarters=[quarter_label(2025, quarter, start_month=start_month) for quarter in (1, 2)],
        title="Import contracts",
    )


def _plan(stored: ContractImport) -> tuple[ImportPlan | None, str | None]:
    """The plan from the rows kept at upload (never the file again, but for uploads from
    before the rows were kept, read once here)."""
    first_view = stored.parsed_rows is None
    try:
        table = contract_imports.rows_of(stored)
    except spreadsheets.UnreadableFile as problem:
        return None, str(problem)
    if first_view:
        commit()
    lookups = contracts.import_lookups(current_user.organisation_id, references_in(table))
    start_month = current_settings().financial_year_start_month
    return plan_import(table, lookups, start_month=start_month), None


@council.route("/contracts/import/<int:import_id>", methods=["GET", "POST"])
@council_staff
def preview_import(import_id: int) -> str | Response:
    stored = contract_imports.get_for(current_user, import_id) or abort(404)
    if stored.imported_at is not None:
        flash(f"{stored.filename} was already imported", "info")
        return redirect(url_for("council.list_contracts", show="all"))
    plan, unreadable = _plan(stored)
    form = ConfirmImportForm()
    if form.validate_on_submit() and plan is not None and plan.is_valid:
        created = contracts.save_import(current_user.organisation_id, plan, by=current_user)
        contract_imports.mark_imported(stored, len(created))
        compliance.refresh(created, calendar.today())
        commit()
        flash(_imported(plan), "success")
        return redirect(url_for("council.list_contracts", show="all"))
    return render_template(
        "council/import_preview.html",
        form=form,
        stored=stored,
        plan=plan,
        unreadable=unreadable,
        title="Check your import",
    )


def _imported(plan: ImportPlan) -> str:
    """ "2 contracts imported with 3 commitments and 1 quarterly profile; 1 new supplier added" """
    parts = [count(plan.commitment_count, "commitment")]
    if plan.profile_count:
        parts.append(count(plan.profile_count, "quarterly profile"))
    told = f"{count(len(plan.contracts), 'contract')} imported with {listing(parts)}"
    if plan.new_suppliers:
        told += f"; {count(len(plan.new_suppliers), 'new supplier')} added"
    return told


@council.route("/contracts/import/template.<any(csv, xlsx):file_format>")
@council_staff
def import_template(file_format: str) -> Response:
    rows = example_rows(current_settings().financial_year_start_month)
    return exports.download(COLUMNS, rows, "contracts-import-template", file_format)


@council.route("/measures")
@council_staff
def list_measures() -> str:
    """The measures catalogue, to read: administrators change it under admin."""
    catalogue = measures.catalogue(current_user.organisation_id)
    return render_template(
        "council/measures.html",
        in_use=[m for m in catalogue if not m.is_retired],
        retired=[m for m in catalogue if m.is_retired],
        title="Measures catalogue",
    )


# Suppliers


@council.route("/suppliers")
@council_staff
def list_suppliers() -> str:
    page = organisations.list_organisations(
        current_user, page=page_number(), kind=OrganisationKind.SUPPLIER
    )
    ids = [o.id for o in page.items]
    return render_template(
        "council/suppliers.html",
        page=page,
        counts=organisations.user_counts(ids),
        shared=organisations.shared_with_another_council(current_user, ids),
        title="Suppliers",
    )


@council.route("/suppliers/<int:supplier_id>")
@council_staff
def view_supplier(supplier_id: int) -> str:
    supplier = organisations.get_supplier_for(current_user, supplier_id) or abort(404)
    changeable = organisations.may_change(current_user, supplier)
    filters = contracts.ContractFilters(today=calendar.today(), supplier_id=supplier.id)
    contract_page = contracts.list_for(current_user, filters, page=page_number())
    return render_template(
        "council/supplier.html",
        supplier=supplier,
        explanation=None
        if changeable
        else organisations.SHARED_EXPLANATION.format(name=supplier.name),
        people=users.users_of(supplier.id),
        social_value=overview.supplier_social_value(supplier.id, current_user.organisation_id),
        spend=spend_analysis.supplier_spend(current_user.organisation_id, supplier.id),
        contract_page=contract_page,
        commitment_counts=contracts.count_commitments([c.id for c in contract_page.items]),
        title=supplier.name,
    )


@council.route("/suppliers/<int:supplier_id>/invite", methods=["GET", "POST"])
@council_staff
def invite_supplier_user(supplier_id: int) -> str | Response:
    supplier = organisations.get_supplier_for(current_user, supplier_id) or abort(404)
    if not organisations.may_change(current_user, supplier):
        abort(403)  # another council also has contracts with it: the supplier page says so
    form = SupplierInviteForm()
    if form.validate_on_submit():
        try:
            _, told = invitations.invite(
                email=form.email.data or "",
                full_name=form.full_name.data or "",
                role=Role.SUPPLIER_USER,
                organisation=supplier,
                invited_by=current_user,
            )
        except users.EmailInUse:
            form.email.errors.append("This email address already has an account")
        else:
            flash(told, "success")
            return redirect(url_for("council.view_supplier", supplier_id=supplier.id))
    return render_template(
        "council/invite_supplier_user.html",
        form=form,
        supplier=supplier,
        title=f"Invite a user from {supplier.name}",
    )


# Reviewing returns


def _council_return(return_id: int) -> Return:
    """The return if it is this council's and has been sent (a draft is a 404, for its review
    page and its files alike)."""
    return returns.get_for(current_user, return_id) or abort(404)


@council.route("/returns/<int:return_id>", methods=["GET", "POST"])
@council_staff
def review_return(return_id: int) -> str | Response:
    ret = _council_return(return_id)
    undecided = returns.awaiting_decision(ret)
    typed = {f"review-{line.id}": request.form.get(f"review-{line.id}", "") for line in undecided}
    typed |= {
        f"comment-{line.id}": request.form.get(f"comment-{line.id}", "").strip()
        for line in undecided
    }
    errors: dict[str, str] = {}
    form = ConfirmForm()
    if ret.status is not ReturnStatus.SUBMITTED and form.validate_on_submit():
        # Decided by someone else since this page was loaded: say so, show the return as it
        # is now, and keep this reviewer's words (ready to reopen with, if it was accepted).
        return _review_page(ret, form, errors={"version": CONFLICT}, **_unsaved_review(ret))
    if ret.status is ReturnStatus.SUBMITTED and form.validate_on_submit():
        decisions, errors = review_decisions(undecided, typed)
        if not errors:
            try:
                outcome = workflow.review(
                    ret, decisions, by=current_user, expected_version=_expected_version()
                )
            except (returns.Conflict, StaleDataError):
                rollback()
                errors = {"version": CONFLICT}
            else:
                flash(f"{_decided(ret, outcome)} {emails.about_the_decision(ret)}", "success")
                return redirect(url_for("council.view_contract", contract_id=ret.contract_id))
    return _review_page(ret, form, typed=typed, errors=errors)


def _unsaved_review(ret: Return) -> dict[str, Any]:
    """What a reviewer sent on a stale page, line by line, to show back to them."""
    unsaved = []
    for line in ret.lines:
        decision = request.form.get(f"review-{line.id}", "")
        comment = request.form.get(f"comment-{line.id}", "").strip()
        if decision or comment:
            shown = {"accepted": "Accept", "queried": "Query"}.get(decision, "No decision")
            unsaved.append((line.commitment.measure.name, shown, comment))
    queried = [
        str(line.id) for line in ret.lines if request.form.get(f"review-{line.id}", "") == "queried"
    ]
    reason = "\n".join(comment for _, _, comment in unsaved if comment)
    return {"unsaved": unsaved, "reopening": {"reason": reason, "lines": queried}}


def _expected_version() -> int:
    """The version of the return the form was loaded at (0, never a version, if missing)."""
    version = request.form.get("version", "")
    return whole_number(version, minimum=0) or 0


def _review_page(
    ret: Return,
    form: ConfirmForm,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    reopening: dict[str, Any] | None = None,
    unsaved: list[tuple[str, str, str]] | None = None,
) -> str:
    """The return as the council sees it: to decide when submitted (with what changed since
    the last submission), to reopen when accepted, with each line's thread and the versions."""
    reviewing = ret.status is ReturnStatus.SUBMITTED
    files = evidence.files_of(ret.id)
    return render_template(
        "council/review_return.html",
        ret=ret,
        form=form,
        typed=typed or {},
        field_errors=errors or {},
        reviewing=reviewing,
        undecided=returns.awaiting_decision(ret) if reviewing else [],
        resubmission=workflow.since_last_submission(ret, files) if reviewing else None,
        threads=threads.of_return(ret.id),
        reopening=reopening or {"reason": "", "lines": []},
        unsaved=unsaved or [],
        files=files,
        counted=workflow.figures(ret),
        people=workforce.count(ret.id),
        title=f"{period_of(ret)} return from {ret.contract.supplier.name}",
    )


@council.route("/returns/<int:return_id>/reopen", methods=["POST"])
@council_staff
def reopen_return(return_id: int) -> str | Response:
    """Send an accepted return back to the supplier, with the lines to look at and why."""
    ret = _council_return(return_id)
    reason = request.form.get(REOPEN_REASON, "")
    chosen = request.form.getlist(REOPEN_LINES)
    errors: dict[str, str] = {}
    form = ConfirmForm()
    if form.validate_on_submit():
        reopening, errors = reopening_of(returns.accepted_lines(ret), reason, chosen)
        if reopening is not None:
            try:
                workflow.reopen(
                    ret, reopening, by=current_user, expected_version=_expected_version()
                )
            except (returns.Conflict, StaleDataError):
                rollback()
                errors = {"version": CONFLICT}
            except returns.NotEditable:
                rollback()
                abort(409)
            else:
                flash(f"{_reopened(ret)} {emails.about_the_reopening(ret)}", "success")
                return redirect(url_for("council.review_return", return_id=ret.id))
    return _review_page(ret, form, errors=errors, reopening={"reason": reason, "lines": chosen})


def _reopened(ret: Return) -> str:
    measures = [
        line.commitment.measure.name for line in ret.lines if line.review is LineReview.QUERIED
    ]
    one = len(measures) == 1
    return (
        f"Return reopened. {listing(measures)} {'does' if one else 'do'} not count as delivered "
        f"until you accept {'it' if one else 'them'} again."
    )


def _decided(ret: Return, outcome: ReturnStatus) -> str:
    if outcome is ReturnStatus.ACCEPTED:
        return "Return accepted: its figures now count as delivered."
    accepted = returns.accepted_measures(ret)
    if not accepted:
        return "Changes requested."
    counts = "counts" if len(accepted) == 1 else "count"
    return f"Changes requested. {listing(accepted)} {counts} as delivered now."


@council.route("/returns/<int:return_id>/submissions/<int:number>")
@council_staff
def view_submission(return_id: int, number: int) -> str:
    ret = _council_return(return_id)
    submission = next((s for s in ret.submissions if s.number == number), None) or abort(404)
    commitment_of = {line.id: line.commitment_id for line in ret.lines}
    about_it = {
        commitment_of[line_id]: said
        for line_id, messages in threads.of_return(ret.id).items()
        if (said := [m for m in messages if m.submission_number == number])
    }
    return render_template(
        "council/submission.html",
        ret=ret,
        submission=submission,
        threads=about_it,
        reopening=next((r for r in ret.reopenings if r.submission_number == number), None),
        title=f"Submission {number} of the {period_of(ret)} return",
    )


@council.route("/returns/<int:return_id>/evidence/<int:file_id>")
@council_staff
@sandboxed_download
def download_evidence(return_id: int, file_id: int) -> Response:
    ret = _council_return(return_id)
    return exports.evidence_download(evidence.get(ret.id, file_id) or abort(404))


@council.route("/returns/<int:return_id>/people.<any(csv, xlsx):file_format>")
@council_staff
def export_people(return_id: int, file_format: str) -> Response:
    ret = _council_return(return_id)
    rows = exports.workforce_rows(workforce.entries_of(ret.id))
    return exports.download(
        exports.WORKFORCE_COLUMNS,
        rows,
        f"{ret.contract.reference}-{ret.financial_year}-q{ret.quarter}-people",
        file_format,
    )
