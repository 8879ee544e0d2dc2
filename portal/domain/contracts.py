"""Rules about a contract as a whole: where it is in its life, and when it must publish KPIs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

# Procurement Act 2023: contracts over £5 million must publish and assess KPIs.
KPI_THRESHOLD = Decimal(5_000_000)


class ContractStatus(StrEnum):
    NOT_STARTED = "not_started"
    ACTIVE = "active"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return {"not_started": "Not started", "active": "Active", "ended": "Ended"}[self.value]


def contract_status(starts_on: date, ends_on: date, today: date) -> ContractStatus:
    if today < starts_on:
        return ContractStatus.NOT_STARTED
    if today > ends_on:
        return ContractStatus.ENDED
    return ContractStatus.ACTIVE


def is_kpi_by_default(value: Decimal) -> bool:
    return value > KPI_THRESHOLD
