"""GET /api/v1/containers (the caller's visits, searchable) and GET /api/v1/containers/<container_no>."""
from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from events import identifiers
from portal.auth.principal import authenticate, require_principal
from portal.containers.queries import VisitFilter, page_of_visits
from portal.containers.schemas import ContainerPageSchema, ContainerQuerySchema, ContainerViewSchema
from portal.containers.views import container_summary, container_view, load_container
from portal.db import db_session
from portal.errors import NotFound, checked_identifier

blp = Blueprint("containers", __name__, url_prefix="/api/v1/containers",
                description="Container visits the caller may see")
blp.before_request(authenticate)


@blp.route("")
@blp.arguments(ContainerQuerySchema, location="query", as_kwargs=True)
@blp.response(200, ContainerPageSchema)
def list_containers(page: int, per_page: int, q: str | None = None, stage: str | None = None,
                    direction: str | None = None) -> dict[str, Any]:
    """The caller's container visits with their current state, newest activity first."""
    rows, total = page_of_visits(db_session(), require_principal(), VisitFilter(q, stage, direction),
                                 page, per_page)
    return {"items": [container_summary(c, v, s) for c, v, s in rows], "page": page, "per_page": per_page,
            "total": total}


@blp.route("/<container_no>")
@blp.response(200, ContainerViewSchema)
def get_container(container_no: str) -> dict[str, Any]:
    """Every visit of the container the caller may see, with timeline, holds, flags and what is next.
    404 when the container is unknown or none of its visits is the caller's."""
    container_no = checked_identifier(identifiers.container_no, container_no)
    loaded = load_container(db_session(), container_no)
    view = container_view(container_no, *loaded, require_principal()) if loaded else None
    if view is None:
        raise NotFound("no such container")
    return view
