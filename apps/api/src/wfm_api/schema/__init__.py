"""The GraphQL schema: one Query and one Mutation merged from the schema modules."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import strawberry
from graphql import GraphQLError, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from wfm_api.errors import RequestLifecycle
from wfm_api.schema.audit import AuditQueries
from wfm_api.schema.auth import AuthMutations, AuthQueries
from wfm_api.schema.configuration import ConfigurationMutations, ConfigurationQueries
from wfm_api.schema.drafts import StepDraftMutations
from wfm_api.schema.jobs import JobMutations, JobQueries
from wfm_api.schema.live import LiveOperation, LiveSubscriptions
from wfm_api.schema.notifications import NotificationMutations, NotificationQueries
from wfm_api.schema.privacy import PrivacyMutations, PrivacyQueries
from wfm_api.schema.retention import RetentionMutations, RetentionQueries
from wfm_api.schema.secrets import SecretMutations, SecretQueries
from wfm_api.schema.stats import StatsQueries
from wfm_api.schema.templates import TemplateMutations, TemplateQueries
from wfm_api.schema.tenants import TenantMutations, TenantQueries
from wfm_api.schema.triggers import TriggerMutations, TriggerQueries
from wfm_api.schema.users import UserMutations, UserQueries
from wfm_api.schema.webhooks import WebhookMutations, WebhookQueries
from wfm_api.schema.work_items import WorkItemMutations, WorkItemQueries
from wfm_api.schema.workflows import WorkflowMutations, WorkflowQueries
from wfm_shared.settings import Settings

Query = merge_types(
    "Query",
    (
        AuthQueries,
        UserQueries,
        TenantQueries,
        TemplateQueries,
        StatsQueries,
        ConfigurationQueries,
        WorkflowQueries,
        WorkItemQueries,
        JobQueries,
        WebhookQueries,
        NotificationQueries,
        TriggerQueries,
        SecretQueries,
        AuditQueries,
        RetentionQueries,
        PrivacyQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AuthMutations,
        UserMutations,
        TenantMutations,
        WorkflowMutations,
        StepDraftMutations,
        WorkItemMutations,
        TemplateMutations,
        ConfigurationMutations,
        JobMutations,
        WebhookMutations,
        NotificationMutations,
        TriggerMutations,
        SecretMutations,
        RetentionMutations,
        PrivacyMutations,
    ),
)

Subscription = merge_types("Subscription", (LiveSubscriptions,))


class WfmSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Errors are logged where they are translated (wfm_api.errors), once each."""


# Distinct query texts whose parse and validation are kept (a client sends few)
DOCUMENT_CACHE_SIZE = 256


class ParsedQueryCache(ParserCache):
    """Strawberry's parser cache, except that a query that does not parse is left to the
    schema's own parse step: that answers it as a result whose errors are translated like
    any other (an error raised here would skip the translation)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        yield


# graphql-core ends a message with its guesses from the schema's names: " Did you mean 'x'?"
SUGGESTION = " Did you mean "


def without_suggestion(error: GraphQLError) -> GraphQLError:
    head, found, tail = error.message.rpartition(SUGGESTION)
    if not found or not tail.endswith("?") or error.path is not None:
        return error
    return GraphQLError(
        head,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        original_error=error.original_error,
        extensions=error.extensions,
    )


class HideSuggestions(SchemaExtension):
    """Without introspection, a query's errors must not spell the schema out either: the
    names graphql-core suggests for a wrong one ("Did you mean …?", in validation and in
    variables alike) are dropped. The cached errors themselves are left as they are."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [without_suggestion(error) for error in result.errors]


def _unchanged(error: GraphQLError) -> GraphQLError:
    return error


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    limits = settings or Settings()
    # The limiters' rules are classes each limiter builds when it is made: built once here,
    # so that a query validated once is not validated again (the validation cache is keyed
    # by the rules too). The token limit applies to parsing, cached per query text.
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
    ]
    private = not limits.introspection_enabled
    if private:  # `__schema` and `__type` refused (`__typename` stays)
        rules.append(NoSchemaIntrospectionCustomRule)
    polish = without_suggestion if private else _unchanged
    return WfmSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            RequestLifecycle,
            lambda: LiveOperation(polish=polish),
            *([HideSuggestions] if private else []),
            lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
            lambda: ParsedQueryCache(maxsize=DOCUMENT_CACHE_SIZE),
            lambda: AddValidationRules(rules),
            lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
        ],
    )


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
