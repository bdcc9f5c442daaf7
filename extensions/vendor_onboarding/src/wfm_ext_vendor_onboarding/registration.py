"""The `vendor_registration` system step: the vendor gets its number in the operator's vendor
register, recorded as the step's result and as the workflow variable `vendorNumber`. The
number derives from the workflow, so a retried run records the same one."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wfm_engine import StepRunOutcome, SystemStepRun
from wfm_engine.steps import BaseHandler, StepCompletion
from wfm_engine.template import StepDefinition
from wfm_shared.errors import FieldError

STEP_TYPE = "vendor_registration"
REGISTER = uuid.UUID("6f0b8c52-3a1d-4e8e-9d57-2c4f1a9e7b30")


class RegistrationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prefix: str = Field(default="VND", pattern=r"^[A-Z]{2,5}$")


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vendor_number: str = Field(alias="vendorNumber", pattern=r"^[A-Z]{2,5}-[0-9A-F]{8}$")


class VendorRegistrationHandler(BaseHandler):
    type = STEP_TYPE
    system = True
    config_model = RegistrationConfig

    def input_problems(self, step: StepDefinition, data: Mapping[str, Any]) -> list[FieldError]:
        try:
            Registration.model_validate(data)
        except ValidationError as error:
            return [FieldError(tuple(e["loc"]), e["msg"]) for e in error.errors()]
        return []

    def complete(self, step: StepDefinition, data: Mapping[str, Any]) -> StepCompletion:
        return StepCompletion(data=dict(data), variables={"vendorNumber": data["vendorNumber"]})


class VendorRegistrationRunner:
    type = STEP_TYPE

    async def run(self, run: SystemStepRun) -> StepRunOutcome:
        prefix = RegistrationConfig.model_validate(run.step.config).prefix
        number = uuid.uuid5(REGISTER, run.state.id).hex[:8].upper()
        return StepRunOutcome.completed({"vendorNumber": f"{prefix}-{number}"})
