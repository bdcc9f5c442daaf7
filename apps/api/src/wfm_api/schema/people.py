"""Who did something: the person (or the platform) behind an event, a workflow's creation, an
approval, a rejection, a pause. Every id a page names is resolved in one query
(`Loaders.user_by_id`); what the caller may see of a person is decided by the database
(`wfm.people_by_ids`, migration 0015)."""

from __future__ import annotations

import uuid
from enum import Enum

import strawberry

from wfm_api.schema.common import Info, Locale, described_field, locale_of
from wfm_shared.principal import SYSTEM_USER_ID
from wfm_storage.repositories.people import Person

PLATFORM_NAME = "Workflow Manager"
# what stands for a name the caller may not read (or that was never set)
NOT_ON_FILE = {"en": "Deleted user", "fr": "Utilisateur supprimé", "nl": "Verwijderde gebruiker"}
STAFF = {"en": "Market operations", "fr": "Opérations de marché", "nl": "Marktoperaties"}


@strawberry.enum(description="What kind of actor did something")
class ActorKind(Enum):
    USER = "user"
    PLATFORM = "platform"
    DELETED_USER = "deleted_user"


@strawberry.type(
    description=(
        "Who did something: a user, the platform acting on its own (the worker, a trigger, "
        "the clock), or a user no longer on file. A tenant sees its own users in full and "
        "market operations staff by name alone"
    )
)
class Actor:
    recorded_id: strawberry.Private[str]
    person: strawberry.Private[Person | None]

    @described_field("The id the record holds")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.recorded_id)

    def _kind(self) -> ActorKind:
        if self.recorded_id == str(SYSTEM_USER_ID):
            return ActorKind.PLATFORM
        return ActorKind.USER if self.person is not None else ActorKind.DELETED_USER

    @strawberry.field
    def kind(self) -> ActorKind:
        return self._kind()

    @described_field(
        "The display name, else the e-mail; the platform's name; or a label in `locale`"
    )
    def name(self, info: Info, locale: Locale | None = None) -> str:
        if self._kind() is ActorKind.PLATFORM:
            return PLATFORM_NAME
        language = locale_of(info, locale)
        person = self.person
        if person is None:
            return NOT_ON_FILE[language]
        return person.display_name or person.email or STAFF[language]

    @described_field("Null for the platform, a user no longer on file, and staff seen by a tenant")
    def email(self) -> str | None:
        return self.person.email if self.person is not None else None

    @described_field("The user's role; null for the platform and a user no longer on file")
    def role(self) -> str | None:
        return self.person.role if self.person is not None else None


async def load_actor(info: Info, recorded_id: str) -> Actor:
    """The actor behind an id a record holds (batched with every other of the request)."""
    try:
        user_id = uuid.UUID(recorded_id)
    except ValueError:
        return Actor(recorded_id=recorded_id, person=None)  # never a user's id
    if user_id == SYSTEM_USER_ID:
        return Actor(recorded_id=recorded_id, person=None)
    return Actor(recorded_id=recorded_id, person=await info.context.loaders.load_person(user_id))
