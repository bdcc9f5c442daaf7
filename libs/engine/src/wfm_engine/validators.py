"""Named validators: checks a JSON Schema cannot express, referenced by name from templates."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wfm_engine.checks import normalize_belgian_vat
from wfm_shared.errors import FieldError


@dataclass(frozen=True)
class ValidationContext:
    """What a validator may look at: the step's data, every step's data, the tenant."""

    data: Mapping[str, Any] = field(default_factory=dict)
    steps: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    tenant: Mapping[str, Any] = field(default_factory=dict)


Validator = Callable[[ValidationContext], Iterable[FieldError]]


class ValidatorRegistry:
    """Maps names used in templates to validator functions; extensions register more."""

    def __init__(self) -> None:
        self._validators: dict[str, Validator] = {}

    def copy(self) -> ValidatorRegistry:
        """A registry of its own with the same entries (extensions add to the copy)."""
        copied = ValidatorRegistry()
        copied._validators = dict(self._validators)
        return copied

    def register(self, name: str) -> Callable[[Validator], Validator]:
        def add(fn: Validator) -> Validator:
            if name in self._validators:
                raise ValueError(f"validator {name!r} is already registered")
            self._validators[name] = fn
            return fn

        return add

    def get(self, name: str) -> Validator:
        return self._validators[name]

    def __contains__(self, name: object) -> bool:
        return name in self._validators

    def names(self) -> list[str]:
        return sorted(self._validators)

    def run(self, names: Iterable[str], context: ValidationContext) -> list[FieldError]:
        return [error for name in names for error in self._validators[name](context)]


VALIDATORS = ValidatorRegistry()


@VALIDATORS.register("primaryContactPresent")
def primary_contact_present(ctx: ValidationContext) -> Iterable[FieldError]:
    contacts = ctx.data.get("contacts") or []
    if not any(isinstance(c, Mapping) and c.get("role") == "primary" for c in contacts):
        yield FieldError(("contacts",), "at least one contact must have the role 'primary'")


@VALIDATORS.register("uniqueAccessPoints")
def unique_access_points(ctx: ValidationContext) -> Iterable[FieldError]:
    seen: dict[str, int] = {}
    for index, point in enumerate(ctx.data.get("accessPoints") or []):
        ean = str(point.get("ean", "")).replace(" ", "") if isinstance(point, Mapping) else ""
        if ean in seen:
            yield FieldError(("accessPoints", index, "ean"), f"duplicates access point {seen[ean]}")
        else:
            seen[ean] = index


@VALIDATORS.register("vatNumberMatchesTenant")
def vat_number_matches_tenant(ctx: ValidationContext) -> Iterable[FieldError]:
    """The company that applies must be the tenant registered with the operator: every
    step that declares a `vatNumber` must declare the tenant's."""
    registered = ctx.tenant.get("vat_number")
    if not registered:
        return
    for step_id, data in ctx.steps.items():
        declared = data.get("vatNumber")
        if declared and normalize_belgian_vat(str(declared)) != normalize_belgian_vat(
            str(registered)
        ):
            yield FieldError(
                (step_id, "vatNumber"),
                "does not match the VAT number registered for this participant",
            )


@VALIDATORS.register("declaredCapacityMatchesPoints")
def declared_capacity_matches_points(ctx: ValidationContext) -> Iterable[FieldError]:
    """The declared `totalCapacityKw` is the sum of the access points' `capacityKw`: CEL has
    no sum, so transition conditions compare against the declared total instead."""
    declared = ctx.data.get("totalCapacityKw")
    points = ctx.data.get("accessPoints") or []
    capacities = [p.get("capacityKw") for p in points if isinstance(p, Mapping)]
    numbers = [c for c in capacities if isinstance(c, int | float) and not isinstance(c, bool)]
    if not isinstance(declared, int | float) or len(numbers) != len(points):
        return  # the JSON Schema reports missing or malformed values
    total = sum(numbers)
    # a tolerance for the rounding of decimal kW values in a client's own sum
    if abs(declared - total) > 0.001:
        yield FieldError(
            ("totalCapacityKw",),
            f"must be the sum of the access points' capacity ({total:.10g} kW)",
        )
