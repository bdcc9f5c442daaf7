"""Fixtures of the cross-package tests."""

import uuid

import asyncpg
import httpx
import pytest

from wfm_api.app import create_app
from wfm_storage.bootstrap import Storage
from wfm_storage.postgres import init_connection
from wfm_storage.repositories.templates import TemplateRepository
from wfm_testing.graphql import GraphQLClient
from wfm_testing.peers import SmtpSink
from wfm_testing.pytest_plugin import discard_database, prepare_database
from wfm_testing.templates import form_step, step, template, unique_key
from wfm_workflows.extensions import load_catalog
from wfm_workflows.seed import seed_demo_data


@pytest.fixture(scope="module")
def demo_mail():
    """The SMTP server the demo API mails through (invitations, password resets...)."""
    with SmtpSink() as sink:
        yield sink


@pytest.fixture(scope="module")
async def demo_api(wfm_servers, demo_mail):
    """The API on a database of the module's own with the demo data of `make dev`: a
    GraphQL client and the owner's connection. Its mail goes to `demo_mail`."""
    settings = await prepare_database(wfm_servers, f"wfm_demo_{uuid.uuid4().hex[:8]}")
    settings = settings.model_copy(
        update={"smtp_host": demo_mail.host, "smtp_port": demo_mail.port}
    )
    owner = await asyncpg.connect(settings.database_url)
    await init_connection(owner)
    await seed_demo_data(owner, bcrypt_rounds=4)
    storage = await Storage.open(settings)
    app = create_app(settings, storage=storage)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            yield GraphQLClient(http), owner
    await storage.close()
    await owner.close()
    await discard_database(wfm_servers, settings)


# System steps that fail: a forEach over three access points that pauses for a person, a
# call that hands over to a form; their commands are the platform's (the worker's).
FAILING_STEPS = [
    form_step("apply"),
    step(
        "register",
        "api_call",
        config={"url": "https://registry.example/access-points"},
        forEach={"items": "steps.apply.points", "as": "point", "max": 3},
        onFailure="pause",
    ),
    step(
        "lookup",
        "api_call",
        config={"url": "https://registry.example/companies"},
        onFailure={"to": "by-hand"},
        next=[{"to": "confirm"}],
    ),
    form_step("by-hand"),
    form_step("confirm"),
]


@pytest.fixture(scope="module")
async def failing_template(wfm_settings):
    """The key of a template of FAILING_STEPS, stored for the module."""
    owner = await asyncpg.connect(wfm_settings.database_url)
    await init_connection(owner)
    definition = template(FAILING_STEPS, key=unique_key("failing"), name="Failing")
    await TemplateRepository().save(owner, load_catalog().registries.parse_template(definition))
    await owner.close()
    return definition["key"]


@pytest.fixture
async def tenant(factory):
    return await factory.tenant()


@pytest.fixture
async def admin(factory, tenant):
    """An administrator of `tenant`."""
    return await factory.account("tenant_admin", tenant)
