"""What a user's JSON may hold to be stored as given, judged without recursion."""

from wfm_shared.documents import MAX_PROBLEMS, storage_problems, template_shape_problems


def test_any_depth_is_answered_without_recursion():
    abyss: list = []
    for _ in range(100_000):
        abyss = [abyss]
    [problem] = storage_problems({"data": abyss}, max_depth=32)
    assert len(problem.path) == 32
    assert template_shape_problems(abyss)[0].message.startswith("the template nests deeper")


def test_a_huge_input_is_answered_with_a_bounded_list_of_problems():
    problems = storage_problems({f"${i}": i for i in range(10_000)})
    assert len(problems) == MAX_PROBLEMS


def test_documents_kept_in_postgresql_only_may_use_dollar_and_dotted_keys():
    schema = {"$ref": "#/$defs/a", "$defs": {"a.b": {"type": "string"}}}
    assert storage_problems(schema, mongo_field_names=False) == []
    assert [p.path for p in storage_problems(schema)] == [("$defs",), ("$ref",)]
