"""Amounts read at a glance: grouped thousands, two decimals, the currency code beside them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from witness_support.templating import money


@pytest.mark.parametrize(("amount", "currency", "shown"), [
    (Decimal("45000"), "IDR", "45,000.00 IDR"),
    (Decimal("1234567.5"), "THB", "1,234,567.50 THB"),
    ("-1000", "USD", "-1,000.00 USD"),
    (Decimal("12.3"), None, "12.30"),
    (None, "EUR", "—"),
    ("", "EUR", "—"),
    ("not a number", "EUR", "not a number"),
])
def test_money(amount, currency, shown):  # noqa: ANN001
    assert money(amount, currency) == shown
