"""Supplier users: their own organisation's contracts, read-only for now."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from portal import calendar
from portal.auth.permissions import supplier_users
from portal.data import contracts, local_areas

supplier = Blueprint("supplier", __name__, url_prefix="/supplier")


@supplier.route("/contracts")
@supplier_users
def list_contracts() -> str:
    filters = contracts.ContractFilters(today=calendar.today())
    page = contracts.list_for(current_user, filters, page=request.args.get("page", 1, type=int))
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
        contract=contract,
        local_area=contract.local_area or local_areas.default_for(contract.council_id),
        periods=calendar.periods_of(contract),
        today=calendar.today(),
        title=f"{contract.reference}: {contract.title}",
    )
