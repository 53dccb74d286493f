"""The error bodies every route of the JSON API answers with, one definition for all its routers.

`Message` for a refusal with one reason (401, 403, 404, 405, 409, 429, 500); `Errors` for invalid
input (422), one item per problem with its path (`loc`: where, then field names and list
indexes), the shape django-ninja gives its own validation errors.
"""

from __future__ import annotations

from ninja import Field, Schema


class Message(Schema):
    detail: str


class ErrorItem(Schema):
    loc: list[str | int] = Field(..., examples=[["body", "indicators", 0, "target"]])
    msg: str = Field(..., examples=["Enter a number."])
    type: str = Field(..., examples=["invalid"])


class Errors(Schema):
    detail: list[ErrorItem]


# Every route may answer 422: its parameters are validated, and text no database can store is
# refused before any route runs (core.middleware.RefuseUnstorableTextMiddleware).
INVALID = {422: Errors}
