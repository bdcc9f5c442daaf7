"""The GraphQL schema: one Query and one Mutation merged from the schema modules."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from wfm_api.errors import RequestLifecycle
from wfm_api.schema.auth import AuthMutations, AuthQueries
from wfm_api.schema.configuration import ConfigurationMutations, ConfigurationQueries
from wfm_api.schema.operations import OperationsMutations, OperationsQueries
from wfm_api.schema.templates import TemplateMutations, TemplateQueries
from wfm_api.schema.tenants import TenantQueries
from wfm_api.schema.workflows import WorkflowMutations, WorkflowQueries
from wfm_shared.settings import Settings

Query = merge_types(
    "Query",
    (
        AuthQueries,
        TenantQueries,
        TemplateQueries,
        ConfigurationQueries,
        WorkflowQueries,
        OperationsQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AuthMutations,
        WorkflowMutations,
        TemplateMutations,
        ConfigurationMutations,
        OperationsMutations,
    ),
)


class WfmSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Errors are logged where they are translated (wfm_api.errors), once each."""


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    limits = settings or Settings()
    return WfmSchema(
        query=Query,
        mutation=Mutation,
        extensions=[
            RequestLifecycle,
            lambda: QueryDepthLimiter(max_depth=limits.max_query_depth),
            lambda: MaxAliasesLimiter(max_alias_count=limits.max_aliases),
            lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        ],
    )


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
