"""Named validators: rules a JSON Schema cannot express."""

from wfm_engine.validators import VALIDATORS, ValidationContext


def run(name, data):
    return list(VALIDATORS.run([name], ValidationContext(data=data)))


def points(*capacities):
    return [{"ean": f"p{i}", "capacityKw": c} for i, c in enumerate(capacities)]


def test_declared_capacity_equal_to_the_sum_of_the_points_passes():
    data = {"accessPoints": points(4000, 6000.5), "totalCapacityKw": 10000.5}
    assert run("declaredCapacityMatchesPoints", data) == []


def test_declared_capacity_below_the_sum_is_refused_on_the_total():
    # declaring less than the points add up to would dodge the impact assessment
    errors = run(
        "declaredCapacityMatchesPoints",
        {"accessPoints": points(8000, 7000), "totalCapacityKw": 9000},
    )
    assert [e.path for e in errors] == [("totalCapacityKw",)]
    assert "15000 kW" in errors[0].message


def test_declared_capacity_check_leaves_missing_values_to_the_schema():
    assert run("declaredCapacityMatchesPoints", {"accessPoints": points(5000)}) == []
    assert run("declaredCapacityMatchesPoints", {"accessPoints": [{}], "totalCapacityKw": 1}) == []
