"""Market-role overlays of the `contract-onboarding` template — BRP, BSP, GU, ACH, CRM, ESP,
DSO (one file each in `overlays/`) — and the validators of their domain rules."""

from wfm_market_roles.validators import ROLE_VALIDATORS
from wfm_workflows.extensions import ExtensionContext


def register(context: ExtensionContext) -> None:
    """Entry point of the `wfm.extensions` group."""
    for name, validator in ROLE_VALIDATORS.items():
        context.validators.register(name)(validator)
    context.add_templates_from("wfm_market_roles", "overlays")
