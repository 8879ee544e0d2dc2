"""Keeping quarterly profiles in step with their commitments and contracts: a profile of a total
always adds up to its commitment's target over the contract's quarters (design brief section 5).

A change of target changes the profile in the same step (see council.edit_commitment), and
`flask compliance verify` reports any that does not add up.
"""

from __future__ import annotations

from portal.calendar import periods_of
from portal.data import contracts
from portal.data.types import MeasureKind
from portal.domain import profiles


def differences() -> list[str]:
    """Every profile of a total that does not add up to its commitment's target over the
    contract's quarters, in batches."""
    found = []
    for commitment in contracts.profiled_commitments(MeasureKind.CUMULATIVE):
        contract = commitment.contract
        total = profiles.planned_total(contracts.profile_of(commitment), periods_of(contract))
        if total != commitment.target:
            found.append(
                f"{contract.reference}: the quarterly profile of {commitment.measure.name} adds "
                f"up to {profiles.as_text(total)}, not its target of "
                f"{profiles.as_text(commitment.target)}"
            )
    return found
