"""Expressions in actions: `{{ CEL }}` in an api_call's request, a notification's texts and a
webhook's payload. Checked with the template (every problem at its path, nothing compiled
twice), rendered for a run (a lone placeholder keeps its JSON type, the rest is text, a url's
values are percent-encoded and cannot reshape it), the secrets a step names known statically."""

import pytest

from wfm_engine import TemplateInvalid, parse_template
from wfm_engine.expressions import (
    RenderingFailed,
    render_config,
    secret_names,
    split_text,
)
from wfm_engine.steps import API_CALL_EXPRESSIONS, NOTIFICATION_EXPRESSIONS, WEBHOOK_EXPRESSIONS
from wfm_shared import limits


def t(text="T"):
    return {"en": text, "fr": text, "nl": text}


def step(step_id, step_type="form", **extra):
    return {"id": step_id, "type": step_type, "title": t(step_id), **extra}


def with_call(config, *more, **extra):
    """A form `site`, then an api_call `register` with `config` (and `extra`)."""
    call = step("register", "api_call", config={"url": "https://registry.example/x", **config})
    return {
        "key": "sample",
        "version": 1,
        "name": t("Sample"),
        "steps": [step("site"), {**call, **extra}, *more],
    }


def problems(definition):
    with pytest.raises(TemplateInvalid) as raised:
        parse_template(definition)
    return [(e.path, e.message) for e in raised.value.errors]


CONTEXT = {
    "steps": {"site": {"ean": "541448820000000015", "capacityKw": 250, "name": "Zone A/B ?&#"}},
    "variables": {"registrationId": "REG-7", "ratio": 0.5},
    "tenant": {"id": "t-1", "company_name": "Ardennes Énergie SA", "vat_number": "BE0456789034"},
    "trigger": {},
    "config": {},
    "secrets": {"REGISTRY_TOKEN": "tok-123"},
}


# -- checked with the template ------------------------------------------------------------


def test_a_template_whose_placeholders_compile_and_name_known_roots_is_accepted():
    parse_template(
        with_call(
            {
                "url": "https://registry.example/sites/{{ steps.site.ean }}?vat={{ tenant.vat_number }}",
                "headers": {"Authorization": "Bearer {{ secrets.REGISTRY_TOKEN }}"},
                "query": {"holder": "{{ tenant.company_name }}"},
                "body": {
                    "ean": "{{ steps.site.ean }}",
                    "points": ["{{ steps.site.capacityKw * 2 }}"],
                    "any": "{{ [1, 2].exists(p, p > variables.ratio) }}",
                    "literal": 'closing braces in a string: {{ "}}" }}',
                },
            }
        )
    )


def test_every_bad_placeholder_is_reported_at_its_path_at_once():
    found = problems(
        with_call(
            {
                "body": {
                    "unknown": "{{ registry.token }}",
                    "step": "{{ steps.nowhere.ean }}",
                    "malformed": "{{ steps.site.ean + }}",
                    "open": "EAN {{ steps.site.ean",
                    "empty": "{{ }}",
                    "nested": ["ok", {"deep": "{{ steps.site.ean ) }}"}],
                },
                "responseMapping": {"id": "{{ body.id }}"},
            }
        )
    )
    at = ("steps", 1, "config")
    assert found == [
        (
            (*at, "body", "unknown"),
            "the expression 'registry.token' names 'registry': expressions name steps, "
            "variables, tenant, trigger, config or secrets (and a forEach step its item)",
        ),
        (
            (*at, "body", "step"),
            "the expression 'steps.nowhere.ean' refers to unknown step 'nowhere'",
        ),
        (
            (*at, "body", "malformed"),
            "the expression 'steps.site.ean +' does not compile: at column 16: the expression "
            "ends too early (expected '(', '.', '[', '{', a name, a number)",
        ),
        ((*at, "body", "open"), "the placeholder at character 4 has no closing }}"),
        ((*at, "body", "empty"), "the placeholder at character 0 is empty"),
        (
            (*at, "body", "nested", 1, "deep"),
            "the expression 'steps.site.ean )' does not compile: at column 16: unexpected ')'",
        ),
        (
            (*at, "responseMapping", "id"),
            "'responseMapping' takes no {{ }} expressions (url, headers, query and body do)",
        ),
    ]


def test_a_macro_variable_is_no_unknown_name_but_a_free_one_is():
    assert problems(with_call({"body": {"x": "{{ [1].all(n, n > 0) && n > 0 }}"}})) == [
        (
            ("steps", 1, "config", "body", "x"),
            "the expression '[1].all(n, n > 0) && n > 0' names 'n': expressions name steps, "
            "variables, tenant, trigger, config or secrets (and a forEach step its item)",
        )
    ]


def test_a_forEach_steps_item_is_named_as_its_as_says_and_nowhere_else():
    each_point = {"items": "steps.site.points", "as": "point"}
    parse_template(
        with_call({"url": "https://registry.example/points/{{ point.ean }}"}, forEach=each_point)
    )
    found = problems(with_call({"url": "https://registry.example/points/{{ item.ean }}"}))
    assert found == [
        (
            ("steps", 1, "config", "url"),
            "the expression 'item.ean' names 'item': expressions name steps, variables, tenant, "
            "trigger, config or secrets (and a forEach step its item)",
        )
    ]
    # unless `as` says otherwise, the item is `item`
    parse_template(with_call({"body": {"x": "{{ item }}"}}, forEach={"items": "steps.site.points"}))


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("secrets", "a secret is named as secrets.NAME"),
        ("secrets['REGISTRY_TOKEN']", "a secret is named as secrets.NAME, not by index"),
        ("size(secrets)", "a secret is named as secrets.NAME"),
    ],
)
def test_a_secret_is_named_only_as_secrets_dot_name(expression, message):
    [(_, found)] = problems(with_call({"headers": {"Authorization": f"{{{{ {expression} }}}}"}}))
    assert found.endswith(message)


def test_a_notification_or_a_webhook_may_not_name_a_secret():
    notify = step(
        "notify",
        "notification",
        config={
            "to": ["role:tenant_admin"],
            "subject": t("Token {{ secrets.REGISTRY_TOKEN }}"),
            "body": t("Done"),
        },
    )
    announce = step(
        "announce",
        "webhook",
        config={"eventType": "site.registered", "payload": {"t": "{{ secrets.REGISTRY_TOKEN }}"}},
    )
    found = problems(with_call({}, notify, announce))
    assert [path for path, _ in found] == [
        ("steps", 2, "config", "subject", "en"),
        ("steps", 2, "config", "subject", "fr"),
        ("steps", 2, "config", "subject", "nl"),
        ("steps", 3, "config", "payload", "t"),
    ]
    assert all("names a secret: only a step that sends a request may" in m for _, m in found)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://{{ variables.host }}/sites", "its scheme and host are written out"),
        ("https://registry.{{ variables.zone }}.example/x", "its scheme and host are written out"),
        ("{{ variables.url }}", "its scheme and host are written out"),
        ("https://registry.example{{ variables.path }}", "its scheme and host are written out"),
        ("https://registry.example/x#{{ variables.anchor }}", "not stand in the url's fragment"),
    ],
)
def test_a_url_takes_placeholders_in_its_path_and_query_only(url, message):
    found = problems(with_call({"url": url}))
    assert any(path == ("steps", 1, "config", "url") and message in m for path, m in found), found


def test_a_key_or_a_compensation_takes_no_placeholder():
    found = problems(
        with_call(
            {"body": {"{{ variables.field }}": 1}},
            compensation={"url": "https://registry.example/x/{{ steps.site.ean }}"},
        )
    )
    assert found == [
        (
            ("steps", 1, "config", "body", "{{ variables.field }}"),
            "an object's key takes no {{ }} expressions (url, headers, query and body do)",
        ),
        (
            ("steps", 1, "compensation", "url"),
            "a compensation is recorded and sent as written: it takes no {{ }} expressions",
        ),
    ]


def test_an_expression_past_the_limits_or_too_many_placeholders_are_refused():
    long = " + ".join(["1"] * (limits.CONDITION_MAX_CHARS // 4 + 1))
    [(path, message)] = problems(with_call({"body": {"sum": f"{{{{ {long} }}}}"}}))
    assert path == ("steps", 1, "config", "body", "sum")
    assert f"at most {limits.CONDITION_MAX_CHARS}" in message

    many = {f"f{i}": "{{ variables.ratio }}" for i in range(limits.ACTION_PLACEHOLDERS_MAX + 1)}
    [(path, message)] = problems(with_call({"body": many}))
    assert path == ("steps", 1, "config", "body", f"f{limits.ACTION_PLACEHOLDERS_MAX}")
    assert (
        message
        == f"a template holds at most {limits.ACTION_PLACEHOLDERS_MAX} {{{{ }}}} placeholders"
    )


def test_a_stored_template_is_read_back_whatever_its_placeholders_and_fails_when_rendered():
    definition = with_call({"body": {"x": "{{ registry.token }}"}})
    template = parse_template(definition, stored=True)
    with pytest.raises(RenderingFailed) as failed:
        render_config(template.step("register").config, API_CALL_EXPRESSIONS, CONTEXT)
    assert failed.value.reason == (
        "config.body.x: the expression 'registry.token' failed: unknown name 'registry'"
    )


# -- rendered for a run ------------------------------------------------------------------


def test_a_lone_placeholder_keeps_its_json_type_and_anything_else_becomes_text():
    rendered = render_config(
        {
            "body": {
                "capacityKw": "{{ steps.site.capacityKw }}",
                "ratio": "{{ variables.ratio }}",
                "registered": "{{ variables.registrationId != '' }}",
                "nothing": "{{ null }}",
                "ids": "{{ [variables.registrationId, steps.site.capacityKw] }}",
                "label": "{{ steps.site.capacityKw }} kW, ratio {{ variables.ratio }}: {{ true }}",
                "at": "{{ timestamp('2025-05-01T08:00:00Z') }}",
                "untouched": "no placeholder",
                "number": 7,
            },
            "headers": {"X-Capacity": "{{ steps.site.capacityKw }}"},
        },
        API_CALL_EXPRESSIONS,
        CONTEXT,
    )
    assert rendered["body"] == {
        "capacityKw": 250,
        "ratio": 0.5,
        "registered": True,
        "nothing": None,
        "ids": ["REG-7", 250],
        "label": "250 kW, ratio 0.5: true",
        "at": "2025-05-01T08:00:00Z",
        "untouched": "no placeholder",
        "number": 7,
    }
    assert rendered["headers"] == {"X-Capacity": "250"}


def test_values_in_a_url_are_percent_encoded_for_their_place():
    rendered = render_config(
        {
            "url": "https://registry.example/sites/{{ steps.site.name }}/points/"
            "{{ steps.site.ean }}?holder={{ tenant.company_name }}&n={{ steps.site.capacityKw }}",
            "query": {"name": "{{ steps.site.name }}"},
        },
        API_CALL_EXPRESSIONS,
        CONTEXT,
    )
    assert rendered["url"] == (
        "https://registry.example/sites/Zone%20A%2FB%20%3F%26%23/points/541448820000000015"
        "?holder=Ardennes%20%C3%89nergie%20SA&n=250"
    )
    # the query's values go as they are: the HTTP client encodes them
    assert rendered["query"] == {"name": "Zone A/B ?&#"}


@pytest.mark.parametrize("value", [".", ".."])
def test_a_value_cannot_climb_the_urls_path(value):
    context = {**CONTEXT, "variables": {"segment": value}}
    with pytest.raises(RenderingFailed) as failed:
        render_config(
            {"url": "https://registry.example/sites/{{ variables.segment }}/admin"},
            API_CALL_EXPRESSIONS,
            context,
        )
    assert (
        failed.value.reason == "config.url: a value of the url's path may not make it '.' or '..'"
    )


def test_a_value_spelled_encoded_is_data_in_the_url():
    encoded = render_config(
        {"url": "https://registry.example/sites/{{ variables.segment }}/admin"},
        API_CALL_EXPRESSIONS,
        {**CONTEXT, "variables": {"segment": "%2e%2E"}},
    )
    assert encoded["url"] == "https://registry.example/sites/%252e%252E/admin"


def test_a_header_cannot_be_split_by_a_value():
    context = {**CONTEXT, "variables": {"name": "x\r\nX-Admin: yes"}}
    with pytest.raises(RenderingFailed) as failed:
        render_config(
            {"headers": {"X-Name": "{{ variables.name }}"}}, API_CALL_EXPRESSIONS, context
        )
    assert failed.value.reason == (
        "config.headers.X-Name: the rendered header holds a control character (a line break?)"
    )


def test_an_expression_that_fails_on_the_data_says_where_and_why():
    with pytest.raises(RenderingFailed) as failed:
        render_config(
            {"body": {"a": {"b": ["{{ steps.site.owner.name }}"]}}}, API_CALL_EXPRESSIONS, CONTEXT
        )
    assert failed.value.reason == (
        "config.body.a.b.0: the expression 'steps.site.owner.name' failed: "
        "the data has no field 'owner'"
    )
    with pytest.raises(RenderingFailed) as failed:
        render_config({"body": {"b": "{{ b'raw' }}"}}, API_CALL_EXPRESSIONS, CONTEXT)
    assert failed.value.reason == (
        "config.body.b: the expression \"b'raw'\" gave bytes (convert them with string())"
    )


def test_a_notifications_texts_are_rendered_with_their_literal_pieces_written_out_apart():
    seen = []

    def literal(at, text):
        seen.append((at, text))
        return text.replace("{tenant.companyName}", "Ardennes")

    rendered = render_config(
        {
            "to": ["role:tenant_admin"],
            "subject": t("Point {{ steps.site.ean }}"),
            "body": {
                "en": "{tenant.companyName}: {{ variables.registrationId }}",
                "fr": "x",
                "nl": "y",
            },
        },
        NOTIFICATION_EXPRESSIONS,
        {**CONTEXT, "variables": {"registrationId": "{tenant.companyName}"}},
        literal=literal,
    )
    # what an expression gave is never written out as a `{path}` placeholder
    assert rendered["body"]["en"] == "Ardennes: {tenant.companyName}"
    assert rendered["subject"]["en"] == "Point 541448820000000015"
    assert rendered["to"] == ["role:tenant_admin"]
    assert (("config", "body", "en"), "{tenant.companyName}: ") in seen


def test_a_webhook_payload_is_rendered_at_any_depth():
    rendered = render_config(
        {
            "eventType": "site.registered",
            "payload": {
                "site": {
                    "ean": "{{ steps.site.ean }}",
                    "mw": "{{ double(steps.site.capacityKw) / 1000.0 }}",
                }
            },
        },
        WEBHOOK_EXPRESSIONS,
        CONTEXT,
    )
    assert rendered["payload"] == {"site": {"ean": "541448820000000015", "mw": 0.25}}


def test_the_secrets_a_step_names_are_known_before_it_is_rendered():
    config = {
        "url": "https://registry.example/{{ secrets.PATH_KEY }}",
        "headers": {"Authorization": "Bearer {{ secrets.REGISTRY_TOKEN }}"},
        "body": {"nested": ["{{ has(secrets.OTHER) ? 1 : 2 }}"], "plain": "secrets.NOT_ONE"},
        "responseMapping": {"x": "{{ secrets.IGNORED }}"},
    }
    assert secret_names(config, API_CALL_EXPRESSIONS) == {"PATH_KEY", "REGISTRY_TOKEN", "OTHER"}
    # where secrets may not be named, none is ever opened
    assert secret_names({"payload": {"t": "{{ secrets.X }}"}}, WEBHOOK_EXPRESSIONS) == frozenset()


def test_a_placeholder_ends_at_its_own_closing_braces():
    assert [getattr(p, "expression", p) for p in split_text("a {{ {'k': {'j': '}}'}} }} b")] == [
        "a ",
        "{'k': {'j': '}}'}}",
        " b",
    ]
