"""Supplier users: their own organisation's contracts, read-only for now."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from portal.auth.permissions import supplier_users
from portal.data import contracts, local_areas

supplier = Blueprint("supplier", __name__, url_prefix="/supplier")


@supplier.route("/contracts")
@supplier_users
def list_contracts() -> str:
    page = contracts.list_for(current_user, page=request.args.get("page", 1, type=int))
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
    default_area = None if contract.local_area else local_areas.default_for(contract.council_id)
    return render_template(
        "supplier/contract.html",
        contract=contract,
        local_area=contract.local_area or default_area,
        title=f"{contract.reference}: {contract.title}",
    )
