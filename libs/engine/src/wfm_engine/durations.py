"""ISO 8601 durations (`PT4H`, `P2DT30M`, `P1W`), as templates write SLAs and delays."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(value: str) -> timedelta:
    match = _DURATION.match(value)
    if not match or value in ("P", "PT") or value.endswith("T"):
        raise ValueError(f"{value!r} is not an ISO 8601 duration such as PT4H or P2D")
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    duration = timedelta(**parts)
    if duration <= timedelta(0):
        raise ValueError(f"{value!r} must be longer than zero")
    return duration


def _checked(value: str) -> str:
    parse_duration(value)
    return value


# A template's duration field: refused, with parse_duration's reason, unless it parses.
Duration = Annotated[str, AfterValidator(_checked)]


class Deadline(BaseModel):
    """An approval not decided within `duration` expires: the workflow is then sent back
    (reject), failed or cancelled, as the template says."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    duration: Duration
    on_expiry: Literal["reject", "fail", "cancel"] = Field(default="reject", alias="onExpiry")
