"""Relay-style connections: one generic edge for every paged list, and one generic connection
for those that count their total with the page. Strawberry names a specialisation after its
node: `Connection[Tenant]` is `TenantConnection` and `Edge[Tenant]` is `TenantEdge`. The lists
that count only when asked (work items, workflows) and the event log (no `nodes`) keep
connection types of their own, built from the same edges and `page_info_of`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, Self, TypeVar

import strawberry

from wfm_api.schema.common import PageInfo

NodeType = TypeVar("NodeType")


@strawberry.type
class Edge(Generic[NodeType]):
    cursor: str
    node: NodeType


def page_info_of(edges: Sequence[Edge[NodeType]], has_next: bool) -> PageInfo:
    """The page's info: the next page starts after its last edge."""
    return PageInfo(has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None)


@strawberry.type
class Connection(Generic[NodeType]):
    # a Sequence: a subclass may narrow it to an edge type of its own name
    edges: Sequence[Edge[NodeType]]
    page_info: PageInfo
    total_count: int

    @strawberry.field
    def nodes(self) -> list[NodeType]:
        return [edge.node for edge in self.edges]

    @classmethod
    def of(cls, edges: Sequence[Edge[NodeType]], *, has_next: bool, total: int) -> Self:
        """A page's edges as a connection; `total` counts every page together."""
        return cls(edges=edges, page_info=page_info_of(edges, has_next), total_count=total)
