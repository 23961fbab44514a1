"""REST fallback of the tool catalogue: the same tools, results and errors as MCP."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from tools.actor import valid_actor
from tools.catalogue import CATALOGUE, tool_named
from tools.http_face import TOKEN_ACTOR, tool_services_of
from tools.invocation import invoke_tool
from tools.results import ErrorKind, ErrorResult, ToolResult, error_result

router = APIRouter(prefix="/api/tools", tags=["tools"])

# A result's status decides the HTTP code; the body is the result either way.
_ERROR_STATUS: dict[ErrorKind, int] = {
    "not_found": 404,
    "invalid_argument": 422,
    "invalid_transition": 409,
    "not_allowed": 403,
    "unavailable": 503,
    "internal": 500,
}


class ToolListing(BaseModel):
    name: str
    title: str
    description: str
    mutating: bool
    annotations: dict[str, Any]
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]


def _response(result: ToolResult[Any]) -> JSONResponse:
    code = 200
    if result.status == "error":
        code = _ERROR_STATUS.get(getattr(result.data, "error", "internal"), 500)
    return JSONResponse(result.model_dump(mode="json"), status_code=code)


@router.get("", response_model=list[ToolListing])
async def list_tools() -> list[ToolListing]:
    """The catalogue with each tool's JSON schemas (the same input schema MCP lists)."""
    return [
        ToolListing(
            name=tool.name,
            title=tool.title,
            description=tool.description,
            mutating=tool.mutating,
            annotations=tool.annotations.model_dump(by_alias=True, exclude_none=True),
            input_schema=tool.input_model.model_json_schema(),
            output_schema=tool.output_model.model_json_schema(),
        )
        for tool in CATALOGUE
    ]


@router.post("/{name}", responses={404: {}, 409: {}, 422: {}, 503: {}})
async def call_tool(
    name: str,
    request: Request,
    arguments: Annotated[dict[str, Any] | None, Body()] = None,
    x_runbooks_actor: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """Call one tool with a JSON object of arguments; `X-Runbooks-Actor` names who it is for."""
    tool = tool_named(name)
    if tool is None:
        return _response(error_result(ErrorResult, "not_found", f"there is no tool named {name!r}"))
    actor = valid_actor(x_runbooks_actor) or TOKEN_ACTOR
    result = await invoke_tool(tool, tool_services_of(request.app.state), arguments or {}, actor)
    return _response(result)
