"""The market roles' rules a JSON Schema cannot express: sums, references between lists and
between steps. Plain functions, registered by name in `wfm_market_roles.register`. A step
validator's paths are inside that step's data; a submission validator's start with the step
id. Data the schema refuses (missing, wrong type) is left to the schema: skipped here."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any

from wfm_engine.checks import normalize_belgian_vat
from wfm_engine.validators import ValidationContext, Validator
from wfm_shared.errors import FieldError

# BRP: the bank guarantee covers the imbalance exposure of the balancing perimeter, taken as
# EUR 5,000 per MW of the perimeter's access-point capacity, and never less than EUR 50,000.
GUARANTEE_EUR_PER_MW = 5_000
GUARANTEE_MINIMUM_EUR = 50_000

# GU: the largest contracted capacity per voltage level (kV -> MVA) of the operator's grid;
# a larger installation has to be connected at a higher voltage level.
MAX_CONNECTION_MVA: dict[float, int] = {30: 50, 36: 50, 70: 150, 150: 400, 220: 750, 380: 2000}

# CRM: a capacity market unit takes part from 1 MW of derated capacity (smaller units are
# aggregated); its derated capacity is its nominal reference power times the derating factor.
CRM_THRESHOLD_MW = 1.0
DERATING_TOLERANCE_MW = 0.01

# ESP: services that valorise the flexibility of grid users, hence name the grid users served.
FLEXIBILITY_SERVICES = frozenset({"demand-response", "transfer-of-energy"})


def _entries(data: Mapping[str, Any], key: str) -> list[tuple[int, Mapping[str, Any]]]:
    """The objects of a list field, with their index in the list."""
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, Mapping)]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _code(value: Any) -> str:
    """An EAN or EIC as compared: without spaces, upper-case."""
    return str(value).replace(" ", "").upper() if isinstance(value, str) else ""


def _enterprise(value: Any) -> str:
    """A Belgian enterprise or VAT number as compared: `BE` and ten digits."""
    return normalize_belgian_vat(value) if isinstance(value, str) else ""


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _first_positions(data: Mapping[str, Any], list_key: str, field: str) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, item in _entries(data, list_key):
        positions.setdefault(_code(item.get(field)), index)
    positions.pop("", None)
    return positions


def _duplicates(
    data: Mapping[str, Any], list_key: str, field: str, same: Callable[[Any], str] = _code
) -> Iterator[FieldError]:
    """Entries of `data[list_key]` whose `field` an earlier entry already has."""
    seen: dict[str, int] = {}
    for index, item in _entries(data, list_key):
        value = same(item.get(field))
        if value and value in seen:
            yield FieldError((list_key, index, field), f"duplicates entry {seen[value]}")
        seen.setdefault(value, index)


# -- BRP ----------------------------------------------------------------------------


def guarantee_covers_perimeter(ctx: ValidationContext) -> Iterator[FieldError]:
    """The financial guarantee covers the exposure of the balancing perimeter."""
    amount = _number(ctx.data.get("amountEur"))
    perimeter = ctx.steps.get("balancing-perimeter") or {}
    capacity = sum(
        _number(p.get("capacityMw")) or 0.0 for _, p in _entries(perimeter, "accessPoints")
    )
    required = max(GUARANTEE_MINIMUM_EUR, GUARANTEE_EUR_PER_MW * capacity)
    if amount is not None and amount < required:
        yield FieldError(
            ("amountEur",),
            f"must be at least EUR {required:,.0f}: EUR {GUARANTEE_EUR_PER_MW:,} per MW of the "
            f"{capacity:g} MW perimeter, with a minimum of EUR {GUARANTEE_MINIMUM_EUR:,}",
        )


# -- BSP ----------------------------------------------------------------------------


def delivery_points_distinct(ctx: ValidationContext) -> Iterator[FieldError]:
    yield from _duplicates(ctx.data, "deliveryPoints", "ean")


def balancing_products_offered_once(ctx: ValidationContext) -> Iterator[FieldError]:
    """One entry per product: its capacity is the total the BSP offers for it."""
    yield from _duplicates(ctx.data, "services", "product")


def balancing_capacity_within_delivery_points(ctx: ValidationContext) -> Iterator[FieldError]:
    """A service is delivered by declared delivery points whose maximum power together covers
    the capacity offered."""
    power = {
        _code(p.get("ean")): _number(p.get("maxPowerMw")) or 0.0
        for _, p in _entries(ctx.data, "deliveryPoints")
    }
    for index, service in _entries(ctx.data, "services"):
        points = service.get("deliveryPoints")
        eans = [_code(e) for e in points] if isinstance(points, list) else []
        for n, ean in enumerate(eans):
            if ean not in power:
                yield FieldError(
                    ("services", index, "deliveryPoints", n), "is not a declared delivery point"
                )
        offered = _number(service.get("capacityMw"))
        available = sum(power.get(ean, 0.0) for ean in set(eans))
        if offered is not None and offered > available:
            yield FieldError(
                ("services", index, "capacityMw"),
                f"exceeds the {available:g} MW its delivery points can deliver",
            )


# -- GU -----------------------------------------------------------------------------


def grid_connections_distinct(ctx: ValidationContext) -> Iterator[FieldError]:
    yield from _duplicates(ctx.data, "connections", "ean")


def connection_capacity_fits_voltage_level(ctx: ValidationContext) -> Iterator[FieldError]:
    for index, connection in _entries(ctx.data, "connections"):
        voltage = connection.get("voltageKv")
        limit = MAX_CONNECTION_MVA.get(voltage) if isinstance(voltage, int | float) else None
        capacity = _number(connection.get("contractedCapacityMva"))
        if limit is not None and capacity is not None and capacity > limit:
            yield FieldError(
                ("connections", index, "contractedCapacityMva"),
                f"exceeds the {limit} MVA a {voltage:g} kV connection can carry; "
                "connect at a higher voltage level",
            )


def portfolio_within_grid_connections(ctx: ValidationContext) -> Iterator[FieldError]:
    """The portfolio lists exactly the connected access points, each within its contracted
    connection capacity (MW never exceed MVA)."""
    connections = _entries(ctx.steps.get("grid-connection") or {}, "connections")
    by_ean = {_code(c.get("ean")): c for _, c in connections}
    listed = _first_positions(ctx.data, "accessPoints", "ean")
    for index, point in _entries(ctx.data, "accessPoints"):
        connection = by_ean.get(_code(point.get("ean")))
        if connection is None:
            yield FieldError(
                ("accessPoints", index, "ean"), "has no grid connection in step 'grid-connection'"
            )
            continue
        kw, mva = _number(point.get("capacityKw")), _number(connection.get("contractedCapacityMva"))
        if kw is not None and mva is not None and kw / 1000 > mva:
            yield FieldError(
                ("accessPoints", index, "capacityKw"),
                f"exceeds the contracted connection capacity of {mva:g} MVA",
            )
    for ean in sorted(by_ean.keys() - listed.keys() - {""}):
        yield FieldError(("accessPoints",), f"misses the connected access point {ean}")


# -- ACH ----------------------------------------------------------------------------


def access_contract_period_ordered(ctx: ValidationContext) -> Iterator[FieldError]:
    start, end = _date(ctx.data.get("contractStart")), _date(ctx.data.get("contractEnd"))
    if start is not None and end is not None and end <= start:
        yield FieldError(("contractEnd",), "must be after the contract start")


def designations_distinct(ctx: ValidationContext) -> Iterator[FieldError]:
    """One supplier and one BRP per access point."""
    yield from _duplicates(ctx.data, "designations", "ean")


def access_contract_covers_portfolio(ctx: ValidationContext) -> Iterator[FieldError]:
    """Submission: the access contract designates a supplier and a BRP for every access point
    of the portfolio, and for no other."""
    designated = _first_positions(ctx.steps.get("access-contract") or {}, "designations", "ean")
    portfolio = _first_positions(ctx.steps.get("portfolio") or {}, "accessPoints", "ean")
    for ean, index in portfolio.items():
        if ean not in designated:
            yield FieldError(
                ("portfolio", "accessPoints", index, "ean"),
                "has no supplier and BRP designated in the access contract",
            )
    for ean, index in designated.items():
        if ean not in portfolio:
            yield FieldError(
                ("access-contract", "designations", index, "ean"),
                "is not an access point of the portfolio",
            )


# -- CRM ----------------------------------------------------------------------------


def capacity_market_units_distinct(ctx: ValidationContext) -> Iterator[FieldError]:
    """A CMU id is listed once, and a delivery point belongs to one CMU only."""
    yield from _duplicates(ctx.data, "units", "cmuId")
    owner: dict[str, int] = {}
    for index, unit in _entries(ctx.data, "units"):
        points = unit.get("deliveryPoints")
        for n, ean in enumerate(points if isinstance(points, list) else []):
            code = _code(ean)
            if code and owner.get(code, index) != index:
                yield FieldError(
                    ("units", index, "deliveryPoints", n),
                    f"belongs to unit {owner[code]} already",
                )
            owner.setdefault(code, index)


def derated_capacity_matches_factor(ctx: ValidationContext) -> Iterator[FieldError]:
    for index, unit in _entries(ctx.data, "units"):
        power = _number(unit.get("nominalReferencePowerMw"))
        factor = _number(unit.get("deratingFactor"))
        derated = _number(unit.get("deratedCapacityMw"))
        if power is None or factor is None or derated is None:
            continue
        at = ("units", index, "deratedCapacityMw")
        if abs(derated - power * factor) > DERATING_TOLERANCE_MW:
            yield FieldError(
                at,
                f"must be the nominal reference power times the derating factor "
                f"({power * factor:.2f} MW)",
            )
        elif derated < CRM_THRESHOLD_MW:
            yield FieldError(
                at,
                f"is below the {CRM_THRESHOLD_MW:g} MW participation threshold; "
                "aggregate delivery points into one unit",
            )


# -- ESP ----------------------------------------------------------------------------


def represented_grid_users_distinct(ctx: ValidationContext) -> Iterator[FieldError]:
    """Each grid user once, and not the applicant itself."""
    yield from _duplicates(ctx.data, "representedGridUsers", "enterpriseNumber", _enterprise)
    own = _enterprise((ctx.steps.get("company-info") or {}).get("vatNumber"))
    for index, user in _entries(ctx.data, "representedGridUsers"):
        if own and _enterprise(user.get("enterpriseNumber")) == own:
            yield FieldError(
                ("representedGridUsers", index, "enterpriseNumber"),
                "is the applicant itself; an ESP represents other grid users",
            )


def flexibility_services_name_grid_users(ctx: ValidationContext) -> Iterator[FieldError]:
    services = ctx.data.get("services")
    offered = FLEXIBILITY_SERVICES.intersection(
        s for s in (services if isinstance(services, list) else []) if isinstance(s, str)
    )
    if offered and not _entries(ctx.data, "representedGridUsers"):
        yield FieldError(
            ("representedGridUsers",),
            f"at least one grid user is required for {', '.join(sorted(offered))}",
        )


# -- DSO ----------------------------------------------------------------------------


def interconnection_points_distinct(ctx: ValidationContext) -> Iterator[FieldError]:
    yield from _duplicates(ctx.data, "interconnectionPoints", "ean")


ROLE_VALIDATORS: dict[str, Validator] = {
    "guaranteeCoversPerimeter": guarantee_covers_perimeter,
    "deliveryPointsDistinct": delivery_points_distinct,
    "balancingProductsOfferedOnce": balancing_products_offered_once,
    "balancingCapacityWithinDeliveryPoints": balancing_capacity_within_delivery_points,
    "gridConnectionsDistinct": grid_connections_distinct,
    "connectionCapacityFitsVoltageLevel": connection_capacity_fits_voltage_level,
    "portfolioWithinGridConnections": portfolio_within_grid_connections,
    "accessContractPeriodOrdered": access_contract_period_ordered,
    "designationsDistinct": designations_distinct,
    "accessContractCoversPortfolio": access_contract_covers_portfolio,
    "capacityMarketUnitsDistinct": capacity_market_units_distinct,
    "deratedCapacityMatchesFactor": derated_capacity_matches_factor,
    "representedGridUsersDistinct": represented_grid_users_distinct,
    "flexibilityServicesNameGridUsers": flexibility_services_name_grid_users,
    "interconnectionPointsDistinct": interconnection_points_distinct,
}
