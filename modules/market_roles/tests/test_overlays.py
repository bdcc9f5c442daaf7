"""The market roles' variants of `contract-onboarding`, as the catalog resolves their overlays."""

import pytest

from wfm_engine import TemplateInvalid
from wfm_engine.status import MARKET_ROLES
from wfm_testing.templates import form_step, same_text
from wfm_workflows.extensions import load_catalog

# the installation's validators, gates and step types (the market roles' among them)
REGISTRIES = load_catalog().registries

# the role's own steps come between the base's contacts and its portfolio
BEFORE, AFTER = ["company-info", "contacts"], ["portfolio", "technical-review"]
STEPS = {
    "BRP": [*BEFORE, "balancing-perimeter", "financial-guarantee", *AFTER],
    "BSP": [*BEFORE, "balancing-services", "prequalification", *AFTER],
    "GU": [*BEFORE, "grid-connection", *AFTER],
    "ACH": [*BEFORE, "access-contract", *AFTER],
    "CRM": [*BEFORE, "capacity-market-units", "prequalification", *AFTER],
    "ESP": [*BEFORE, "service-description"],
    "DSO": [*BEFORE, *AFTER],
}


def test_every_market_role_has_its_own_contract_onboarding(onboarding):
    assert set(onboarding) == {None, *MARKET_ROLES}
    assert [s.id for s in onboarding[None].steps] == [*BEFORE, *AFTER]


@pytest.mark.parametrize("role", MARKET_ROLES)
def test_role_template_has_its_steps_in_order_and_is_an_ordinary_template(onboarding, role):
    template = onboarding[role]
    assert (template.key, template.version, template.extends) == (
        "contract-onboarding",
        1,
        "contract-onboarding@1",
    )
    assert [s.id for s in template.steps] == STEPS[role]
    assert template.grants_market_role
    assert role in template.name.get("en")
    assert REGISTRIES.parse_template(template.definition()).definition() == template.definition()
    # the base's submission rules hold for every role
    assert template.submission.validators[0] == "vatNumberMatchesTenant"
    assert template.submission.approval.roles == ["market_ops"]
    assert template.submission.approval.gates == ["fourEyes"]


def test_brp_onboarding_requires_a_financial_guarantee_covering_its_perimeter(onboarding):
    template = onboarding["BRP"]
    perimeter = template.step("balancing-perimeter")
    assert perimeter.validators == ["uniqueAccessPoints"]
    assert perimeter.data_schema["properties"]["eicCode"]["format"] == "eic"
    assert (
        perimeter.data_schema["properties"]["accessPoints"]["items"]["properties"]["ean"]["format"]
        == "ean18"
    )
    guarantee = template.step("financial-guarantee")
    assert guarantee.validators == ["guaranteeCoversPerimeter"]
    assert set(guarantee.data_schema["required"]) == {
        "amountEur",
        "issuingBank",
        "validUntil",
        "documentReference",
    }
    # its copy: a PDF uploaded to the step, named by id in its documents
    assert guarantee.config == {
        "requiredDocuments": ["bank-guarantee"],
        "attachments": {"contentTypes": ["application/pdf"], "maxBytes": 10 * 1024 * 1024},
    }
    document = guarantee.data_schema["properties"]["documents"]["items"]
    assert document["required"] == ["type", "fileId"]
    assert document["properties"]["fileId"] == {"type": "string", "format": "file-id"}
    assert template.submission.gates == ["allRequiredDocumentsPresent"]


@pytest.mark.parametrize(
    ("role", "declared"), [("BSP", "balancing-services"), ("CRM", "capacity-market-units")]
)
def test_prequalification_is_decided_by_market_ops_under_four_eyes(onboarding, role, declared):
    template = onboarding[role]
    step = template.step("prequalification")
    assert (step.type, step.roles) == ("approval", ["market_ops"])
    approve, reject = step.next
    assert (approve.to, approve.gates) == ("portfolio", ["fourEyes"])
    assert (reject.to, reject.gates) == (declared, [])
    assert step.sla is not None
    assert step.sla.escalate_to == "market_ops"


def test_bsp_balancing_services_are_checked_against_their_delivery_points(onboarding):
    step = onboarding["BSP"].step("balancing-services")
    assert step.validators == [
        "deliveryPointsDistinct",
        "balancingProductsOfferedOnce",
        "balancingCapacityWithinDeliveryPoints",
    ]
    services = step.data_schema["properties"]["services"]["items"]["properties"]
    assert services["product"]["enum"] == ["FCR", "aFRR", "mFRR"]
    assert onboarding["BSP"].options.settings["prequalificationSla"].target == (
        "steps.prequalification.sla.duration"
    )


def test_gu_portfolio_is_checked_against_the_grid_connections(onboarding):
    template = onboarding["GU"]
    assert template.step("grid-connection").validators == [
        "gridConnectionsDistinct",
        "connectionCapacityFitsVoltageLevel",
    ]
    portfolio = template.step("portfolio")
    assert portfolio.validators == ["uniqueAccessPoints", "portfolioWithinGridConnections"]
    # the update keeps the rest of the base step: large access points are still reviewed
    assert portfolio.next == onboarding[None].step("portfolio").next


def test_ach_submission_checks_that_the_access_contract_covers_the_portfolio(onboarding):
    template = onboarding["ACH"]
    assert template.step("access-contract").validators == [
        "accessContractPeriodOrdered",
        "designationsDistinct",
    ]
    assert template.submission.validators == [
        "vatNumberMatchesTenant",
        "accessContractCoversPortfolio",
    ]


def test_crm_units_declare_a_derated_capacity_consistent_with_their_derating_factor(onboarding):
    step = onboarding["CRM"].step("capacity-market-units")
    assert step.validators == ["capacityMarketUnitsDistinct", "deratedCapacityMatchesFactor"]


def test_esp_onboarding_has_a_service_description_instead_of_a_portfolio(onboarding):
    template = onboarding["ESP"]
    assert not template.has_step("portfolio")
    assert not template.has_step("technical-review")
    assert template.step("service-description").validators == [
        "representedGridUsersDistinct",
        "flexibilityServicesNameGridUsers",
    ]
    assert template.transitions("service-description") == []  # the last step ends it


def test_dso_interconnection_points_replace_the_portfolio_and_are_always_reviewed(onboarding):
    template = onboarding["DSO"]
    points = template.step("portfolio")
    assert points.title.get("fr") == "Points d'interconnexion"
    assert points.validators == ["interconnectionPointsDistinct"]
    assert points.data_schema["properties"]["gridAreaEic"]["format"] == "eic"
    assert points.next is None
    assert template.next_step_ids("portfolio") == ["technical-review"]
    assert template.next_step_ids("technical-review") == ["portfolio"]  # on rejection


# -- overlays with mistakes ---------------------------------------------------------


def overlay(*steps, **sections):
    return {
        "key": "contract-onboarding",
        "version": 1,
        "marketRole": "BRP",
        "extends": "contract-onboarding",
        "overlay": {"steps": list(steps), **sections},
    }


def problems(base, definition):
    with pytest.raises(TemplateInvalid) as raised:
        REGISTRIES.apply_overlay(base, definition)
    return {e.path: e.message for e in raised.value.errors}


def test_overlay_removing_or_duplicating_a_step_reports_each_operation_by_its_path(onboarding):
    found = problems(
        onboarding[None],
        overlay(
            {"remove": "financial-guarantee"},
            {"add": form_step("contacts", title=same_text("Contacts again"))},
            {
                "add": form_step("guarantee", title=same_text("Guarantee")),
                "after": "perimeter",
            },
            {"update": {"id": "portfolio", "validators": {"remove": ["eanChecked"]}}},
        ),
    )
    assert set(found) == {
        ("overlay", "steps", 0, "remove"),
        ("overlay", "steps", 1, "add", "id"),
        ("overlay", "steps", 2, "after"),
        ("overlay", "steps", 3, "update", "validators", "remove"),
        # with no anchor found it went to the end, after the review that ends the workflow
        ("result", "steps", 4),
    }
    assert found[("overlay", "steps", 0, "remove")] == "no step 'financial-guarantee' to remove"
    assert found[("overlay", "steps", 1, "add", "id")] == (
        "step 'contacts' exists already; replace or update it"
    )
    assert found[("result", "steps", 4)] == "step 'guarantee' cannot be reached from the first step"


def test_overlay_whose_result_is_not_a_valid_template_reports_the_result_paths(onboarding):
    found = problems(
        onboarding[None],
        overlay(
            # the technical review still sends rejected portfolios back to the removed step
            {"remove": "portfolio"},
            {
                "add": {
                    "id": "guarantee",
                    "type": "form",
                    "title": {"en": "Guarantee", "fr": "Garantie"},
                    "validators": ["guaranteeIsEnough"],
                }
            },
        ),
    )
    assert found == {
        ("result", "steps", 2, "next", 1, "to"): "no step 'portfolio' to go to",
        ("result", "steps", 3, "validators", 0): "unknown validator 'guaranteeIsEnough'",
        ("result", "steps", 3, "title", "nl"): "translation missing",
    }


def test_overlay_for_another_base_or_with_unknown_sections_is_refused(onboarding):
    definition = {**overlay(), "extends": "vendor-onboarding", "steps": []}
    definition["overlay"]["gates"] = ["fourEyes"]
    found = problems(onboarding[None], definition)
    assert set(found) == {("steps",), ("extends",), ("overlay", "gates")}
