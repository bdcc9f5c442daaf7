"""Example extension: the operator onboards an IT or service vendor.

It shows what an extension may add through the `wfm.extensions` entry point: a template
usable with any market role (`vendor-onboarding`), its own named validator (`ibanValid`),
its own quality gate (`securityQuestionnaireComplete`) and its own system step type
(`vendor_registration`: a handler and the runner the worker calls)."""

from wfm_ext_vendor_onboarding.iban import iban_valid
from wfm_ext_vendor_onboarding.registration import (
    VendorRegistrationHandler,
    VendorRegistrationRunner,
)
from wfm_ext_vendor_onboarding.security import GATE, security_questionnaire_complete
from wfm_workflows.extensions import ExtensionContext


def register(context: ExtensionContext) -> None:
    """Entry point of the `wfm.extensions` group; runs once per process."""
    context.validators.register("ibanValid")(iban_valid)
    context.gates.register(GATE)(security_questionnaire_complete)
    context.step_handlers.register(VendorRegistrationHandler())
    context.step_runners.register(VendorRegistrationRunner())
    context.add_templates_from("wfm_ext_vendor_onboarding", "templates")
