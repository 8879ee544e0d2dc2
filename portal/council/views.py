"""Contract managers (and administrators): contracts and suppliers."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.admin.forms import SupplierInviteForm
from portal.auth import invitations
from portal.auth.permissions import council_staff
from portal.data import audit, contracts, local_areas, organisations, users
from portal.data.types import OrganisationKind, Role

council = Blueprint("council", __name__, url_prefix="/council")


def _page() -> int:
    return request.args.get("page", 1, type=int)


@council.route("/contracts")
@council_staff
def list_contracts() -> str:
    # Contract managers start on their own contracts; administrators on all of them.
    default_scope = "mine" if current_user.role is Role.CONTRACT_MANAGER else "all"
    scope = request.args.get("show", default_scope)
    scope = scope if scope in ("mine", "all") else default_scope
    supplier_id = request.args.get("supplier", type=int)
    page = contracts.list_for(
        current_user,
        page=_page(),
        managed_by=current_user.id if scope == "mine" else None,
        supplier_id=supplier_id,
    )
    return render_template(
        "council/contracts.html",
        page=page,
        commitment_counts=contracts.count_commitments([c.id for c in page.items]),
        suppliers=organisations.suppliers(),
        scope=scope,
        supplier_id=supplier_id,
        title="Contracts",
    )


@council.route("/contracts/<int:contract_id>")
@council_staff
def view_contract(contract_id: int) -> str:
    contract = contracts.get_for(current_user, contract_id) or abort(404)
    default_area = None if contract.local_area else local_areas.default_for(contract.council_id)
    return render_template(
        "council/contract.html",
        contract=contract,
        local_area=contract.local_area or default_area,
        history=audit.history("contract", contract.id),
        title=f"{contract.reference}: {contract.title}",
    )


@council.route("/suppliers")
@council_staff
def list_suppliers() -> str:
    page = organisations.list_organisations(
        current_user, page=_page(), kind=OrganisationKind.SUPPLIER
    )
    counts = organisations.user_counts([o.id for o in page.items])
    return render_template("council/suppliers.html", page=page, counts=counts, title="Suppliers")


@council.route("/suppliers/<int:supplier_id>")
@council_staff
def view_supplier(supplier_id: int) -> str:
    supplier = organisations.get_supplier(supplier_id) or abort(404)
    contract_page = contracts.list_for(current_user, page=_page(), supplier_id=supplier.id)
    return render_template(
        "council/supplier.html",
        supplier=supplier,
        people=users.users_of(supplier.id),
        contract_page=contract_page,
        commitment_counts=contracts.count_commitments([c.id for c in contract_page.items]),
        title=supplier.name,
    )


@council.route("/suppliers/<int:supplier_id>/invite", methods=["GET", "POST"])
@council_staff
def invite_supplier_user(supplier_id: int) -> str | Response:
    supplier = organisations.get_supplier(supplier_id) or abort(404)
    form = SupplierInviteForm()
    if form.validate_on_submit():
        try:
            user = invitations.invite(
                email=form.email.data or "",
                full_name=form.full_name.data or "",
                role=Role.SUPPLIER_USER,
                organisation=supplier,
                invited_by=current_user,
            )
        except users.EmailInUse:
            form.email.errors.append("This email address already has an account")
        else:
            flash(f"Invitation sent to {user.email}", "success")
            return redirect(url_for("council.view_supplier", supplier_id=supplier.id))
    return render_template(
        "council/invite_supplier_user.html",
        form=form,
        supplier=supplier,
        title=f"Invite a user from {supplier.name}",
    )
