"""Keeping quarterly profiles in step with their commitments and contracts: a profile of a total
always adds up to its commitment's target over the contract's quarters (design brief section 5).

A change of target changes the profile in the same step (see council.edit_commitment); a change
of the contract's dates that leaves a profile without a figure for each quarter, or no longer
adding up, sets it back to the even spread; `flask compliance verify` reports any that does not
add up.
"""

from __future__ import annotations

from datetime import date

from portal.calendar import periods_of
from portal.data import contracts
from portal.data.models import Contract, User
from portal.data.types import MeasureKind
from portal.domain import profiles

DATES_CHANGED = "The contract's dates changed: the profile no longer covered its quarters"


def reset_if_dates_break(
    contract: Contract, runs_before: tuple[date, date], *, by: User
) -> list[str]:
    """After an edit of the contract that changed its dates (from runs_before, its start and
    end): set each profile that no longer fits the contract's quarters back to the even spread,
    with the reason in the history. Returns the names of their measures. The contract's
    commitments are already loaded, with their profiles."""
    if (contract.start_on, contract.end_on) == runs_before:
        return []
    periods = periods_of(contract)
    reset = []
    for commitment in contract.commitments:
        saved = contracts.profile_of(commitment)
        if saved and not profiles.fits(
            saved, periods, kind=commitment.measure.kind, target=commitment.target
        ):
            contracts.save_plan(commitment, None, by=by, reason=DATES_CHANGED)
            reset.append(commitment.measure.name)
    return reset


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
