from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.domain.contracts import ContractStatus, contract_status, is_kpi_by_default


def test_status_by_date() -> None:
    start, end = date(2025, 4, 1), date(2026, 3, 31)
    assert contract_status(start, end, date(2025, 3, 31)) is ContractStatus.NOT_STARTED
    assert contract_status(start, end, start) is ContractStatus.ACTIVE
    assert contract_status(start, end, end) is ContractStatus.ACTIVE
    assert contract_status(start, end, date(2026, 4, 1)) is ContractStatus.ENDED


def test_kpi_contracts_are_over_five_million() -> None:
    assert not is_kpi_by_default(Decimal(5_000_000))
    assert is_kpi_by_default(Decimal("5000000.01"))
