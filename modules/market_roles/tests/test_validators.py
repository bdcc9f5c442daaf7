"""The market roles' named validators: the rules a JSON Schema cannot express."""

import pytest

from wfm_engine.validators import ValidationContext
from wfm_market_roles.validators import ROLE_VALIDATORS
from wfm_workflows.extensions import load_catalog

# EAN-18 codes of access and delivery points, and EIC codes, all with valid check characters
EAN_1 = "541454300000000013"
EAN_2 = "541454300000000020"
EAN_3 = "541454300000000037"
EAN_4 = "541454300000000044"
SUPPLIER_EIC = "22XENGIE-BALANCJ"
BRP_EIC = "22X-LUMINUS-BRPD"


def errors(name, data=None, **steps):
    return list(ROLE_VALIDATORS[name](ValidationContext(data=data or {}, steps=steps)))


def paths(name, data=None, **steps):
    return [e.path for e in errors(name, data, **steps)]


def messages(name, data=None, **steps):
    return [e.message for e in errors(name, data, **steps)]


def test_every_role_validator_is_registered_by_the_extension(onboarding):
    assert set(ROLE_VALIDATORS) <= set(load_catalog().registries.validators.names())


@pytest.mark.parametrize("name", sorted(ROLE_VALIDATORS))
def test_validators_leave_malformed_data_to_the_schema(name):
    # submission validators see every step, valid or not; they must not crash on it
    garbage = {
        key: [1, None, "x", {}, {"ean": 7}]
        for key in ("accessPoints", "services", "units", "connections")
    }
    garbage |= {"deliveryPoints": "none", "designations": None, "amountEur": "a lot"}
    steps = {s: garbage for s in ("balancing-perimeter", "grid-connection", "portfolio")}
    assert paths(name, garbage, **steps) == []


# -- BRP ----------------------------------------------------------------------------


def perimeter(*capacities_mw):
    eans = [EAN_1, EAN_2, EAN_3, EAN_4]
    return {
        "eicCode": "22XARDENNES-ENE6",
        "accessPoints": [
            {"ean": e, "capacityMw": c} for e, c in zip(eans, capacities_mw, strict=False)
        ],
    }


def test_brp_guarantee_of_5000_eur_per_mw_of_perimeter_is_accepted():
    steps = {"balancing-perimeter": perimeter(12.5, 7.5)}
    assert paths("guaranteeCoversPerimeter", {"amountEur": 100_000}, **steps) == []


def test_brp_guarantee_below_the_perimeter_exposure_is_refused_on_the_amount():
    steps = {"balancing-perimeter": perimeter(12.5, 7.5)}
    data = {"amountEur": 99_999.99}
    assert paths("guaranteeCoversPerimeter", data, **steps) == [("amountEur",)]
    assert "EUR 100,000" in messages("guaranteeCoversPerimeter", data, **steps)[0]


def test_brp_guarantee_is_at_least_50000_eur_for_a_small_perimeter():
    steps = {"balancing-perimeter": perimeter(3)}
    assert paths("guaranteeCoversPerimeter", {"amountEur": 50_000}, **steps) == []
    assert paths("guaranteeCoversPerimeter", {"amountEur": 40_000}, **steps) == [("amountEur",)]


# -- BSP ----------------------------------------------------------------------------


def delivery_point(ean, mw):
    return {"ean": ean, "name": f"Battery {ean[-3:]}", "maxPowerMw": mw}


def test_bsp_capacity_offered_within_its_delivery_points_is_accepted():
    data = {
        "deliveryPoints": [delivery_point(EAN_1, 10), delivery_point(EAN_2, 12)],
        "services": [
            {"product": "FCR", "capacityMw": 5, "deliveryPoints": [EAN_1]},
            {"product": "aFRR", "capacityMw": 22, "deliveryPoints": [EAN_1, EAN_2]},
        ],
    }
    for name in (
        "deliveryPointsDistinct",
        "balancingProductsOfferedOnce",
        "balancingCapacityWithinDeliveryPoints",
    ):
        assert paths(name, data) == []


def test_bsp_capacity_beyond_its_delivery_points_or_on_undeclared_points_is_refused():
    data = {
        "deliveryPoints": [delivery_point(EAN_1, 10), delivery_point(EAN_2, 12)],
        "services": [
            {"product": "aFRR", "capacityMw": 25, "deliveryPoints": [EAN_1, EAN_2]},
            {"product": "mFRR", "capacityMw": 5, "deliveryPoints": [EAN_3]},
        ],
    }
    assert paths("balancingCapacityWithinDeliveryPoints", data) == [
        ("services", 0, "capacityMw"),
        ("services", 1, "deliveryPoints", 0),
        ("services", 1, "capacityMw"),
    ]
    assert "22 MW" in messages("balancingCapacityWithinDeliveryPoints", data)[0]


def test_bsp_product_and_delivery_point_are_listed_once():
    data = {
        "deliveryPoints": [
            delivery_point(EAN_1, 10),
            delivery_point(EAN_1[:9] + " " + EAN_1[9:], 5),
        ],
        "services": [
            {"product": "mFRR", "capacityMw": 5, "deliveryPoints": [EAN_1]},
            {"product": "mFRR", "capacityMw": 3, "deliveryPoints": [EAN_1]},
        ],
    }
    assert paths("deliveryPointsDistinct", data) == [("deliveryPoints", 1, "ean")]
    assert paths("balancingProductsOfferedOnce", data) == [("services", 1, "product")]


# -- GU -----------------------------------------------------------------------------


def connection(ean, kv, mva):
    return {"ean": ean, "substation": "Gouy", "voltageKv": kv, "contractedCapacityMva": mva}


def test_gu_connection_capacity_is_limited_by_its_voltage_level():
    data = {"connections": [connection(EAN_1, 70, 120), connection(EAN_2, 36, 80)]}
    assert paths("connectionCapacityFitsVoltageLevel", data) == [
        ("connections", 1, "contractedCapacityMva")
    ]
    assert "50 MVA a 36 kV connection" in messages("connectionCapacityFitsVoltageLevel", data)[0]
    assert (
        paths("connectionCapacityFitsVoltageLevel", {"connections": [connection(EAN_1, 380, 1200)]})
        == []
    )


def test_gu_access_point_is_connected_once():
    data = {"connections": [connection(EAN_1, 150, 200), connection(EAN_1, 70, 60)]}
    assert paths("gridConnectionsDistinct", data) == [("connections", 1, "ean")]


def test_gu_portfolio_lists_exactly_the_connected_points_within_their_capacity():
    grid = {"connections": [connection(EAN_1, 36, 50), connection(EAN_2, 70, 50)]}

    def portfolio(*points):
        return {
            "accessPoints": [
                {"ean": e, "name": "Site", "direction": "both", "capacityKw": kw}
                for e, kw in points
            ]
        }

    good = portfolio((EAN_1, 40_000), (EAN_2, 50_000))
    assert paths("portfolioWithinGridConnections", good, **{"grid-connection": grid}) == []
    bad = portfolio((EAN_1, 60_000), (EAN_3, 1_000))
    assert paths("portfolioWithinGridConnections", bad, **{"grid-connection": grid}) == [
        ("accessPoints", 0, "capacityKw"),
        ("accessPoints", 1, "ean"),
        ("accessPoints",),
    ]
    assert messages("portfolioWithinGridConnections", bad, **{"grid-connection": grid})[2] == (
        f"misses the connected access point {EAN_2}"
    )


# -- ACH ----------------------------------------------------------------------------


def designation(ean):
    return {"ean": ean, "supplierEic": SUPPLIER_EIC, "brpEic": BRP_EIC}


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        (None, []),
        ("2029-12-31", []),
        ("2027-01-01", [("contractEnd",)]),
        ("2026-06-30", [("contractEnd",)]),
    ],
)
def test_ach_contract_ends_after_it_starts_or_is_open_ended(end, expected):
    data = {"contractStart": "2027-01-01", "designations": [designation(EAN_1)]}
    if end:
        data["contractEnd"] = end
    assert paths("accessContractPeriodOrdered", data) == expected


def test_ach_access_point_has_one_designation():
    data = {"designations": [designation(EAN_1), designation(EAN_2), designation(EAN_1)]}
    assert paths("designationsDistinct", data) == [("designations", 2, "ean")]


def test_ach_access_contract_designates_exactly_the_portfolio_at_submission():
    contract = {
        "contractStart": "2027-01-01",
        "designations": [designation(EAN_1), designation(EAN_3)],
    }
    points = [{"ean": e, "name": "Site", "direction": "offtake"} for e in (EAN_1, EAN_2)]
    steps = {"access-contract": contract, "portfolio": {"accessPoints": points}}
    assert paths("accessContractCoversPortfolio", **steps) == [
        ("portfolio", "accessPoints", 1, "ean"),
        ("access-contract", "designations", 1, "ean"),
    ]
    contract["designations"] = [designation(EAN_2), designation(EAN_1)]
    assert paths("accessContractCoversPortfolio", **steps) == []


# -- CRM ----------------------------------------------------------------------------


def unit(cmu_id, power, factor, derated, *points):
    return {
        "cmuId": cmu_id,
        "name": f"Unit {cmu_id}",
        "technology": "gas-turbine-ccgt",
        "status": "existing",
        "nominalReferencePowerMw": power,
        "deratingFactor": factor,
        "deratedCapacityMw": derated,
        "deliveryPoints": list(points) or [EAN_1],
    }


def test_crm_derated_capacity_is_the_nominal_reference_power_times_the_derating_factor():
    good = {"units": [unit("CMU-0042", 420, 0.89, 373.8), unit("CMU-0043", 5, 0.25, 1.25, EAN_2)]}
    assert paths("deratedCapacityMatchesFactor", good) == []
    bad = {"units": [unit("CMU-0042", 420, 0.89, 420), unit("CMU-0043", 2, 0.3, 0.6, EAN_2)]}
    assert paths("deratedCapacityMatchesFactor", bad) == [
        ("units", 0, "deratedCapacityMw"),
        ("units", 1, "deratedCapacityMw"),
    ]
    first, second = messages("deratedCapacityMatchesFactor", bad)
    assert "373.80 MW" in first
    assert "1 MW participation threshold" in second


def test_crm_unit_and_its_delivery_points_are_listed_once():
    data = {
        "units": [
            unit("CMU-0042", 420, 0.89, 373.8, EAN_1),
            unit("CMU-0043", 10, 0.5, 5, EAN_2, EAN_1),
            unit("CMU-0042", 10, 0.5, 5, EAN_3),
        ]
    }
    assert paths("capacityMarketUnitsDistinct", data) == [
        ("units", 2, "cmuId"),
        ("units", 1, "deliveryPoints", 1),
    ]


# -- ESP ----------------------------------------------------------------------------

APPLICANT = {"companyName": "Flanders Flex NV", "vatNumber": "BE0477472701"}


def grid_user(number, name="Brouwerij Van Steenberge NV"):
    return {"enterpriseNumber": number, "name": name}


def test_esp_represents_other_grid_users_each_once():
    data = {
        "services": ["demand-response"],
        "representedGridUsers": [
            grid_user("0403.170.701"),
            grid_user("0477 472 701", "Flanders Flex NV"),
            grid_user("0403170701"),
            grid_user("0202.239.951", "Proximus NV"),
        ],
    }
    assert paths("representedGridUsersDistinct", data, **{"company-info": APPLICANT}) == [
        ("representedGridUsers", 2, "enterpriseNumber"),
        ("representedGridUsers", 1, "enterpriseNumber"),
    ]


def test_esp_flexibility_services_name_the_grid_users_they_serve():
    assert paths("flexibilityServicesNameGridUsers", {"services": ["transfer-of-energy"]}) == [
        ("representedGridUsers",)
    ]
    assert paths("flexibilityServicesNameGridUsers", {"services": ["energy-management"]}) == []
    data = {"services": ["demand-response"], "representedGridUsers": [grid_user("0403170701")]}
    assert paths("flexibilityServicesNameGridUsers", data) == []


# -- DSO ----------------------------------------------------------------------------


def test_dso_interconnection_point_is_listed_once():
    point = {"ean": EAN_1, "substation": "Namur", "voltageKv": 70, "capacityMva": 80}
    data = {
        "gridAreaEic": "22Y-ORES-NAMUR-B",
        "interconnectionPoints": [point, {**point, "ean": EAN_2}],
    }
    assert paths("interconnectionPointsDistinct", data) == []
    data["interconnectionPoints"].append(point)
    assert paths("interconnectionPointsDistinct", data) == [("interconnectionPoints", 2, "ean")]
