"""Errors as JSON: every failure the API reports says what was wrong."""

from __future__ import annotations

from typing import Any

import redis
from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

# What pydantic puts before the message of a ValueError a validator raised.
_VALUE_ERROR = "Value error, "


def validation_problems(exc: ValidationError) -> list[dict[str, str]]:
    """Each field's problem, as the 422 answers and the paste page list them. The
    validators' own messages are sentences; pydantic's label before them is not."""
    return [
        {
            "field": ".".join(map(str, e["loc"])) or "(body)",
            "problem": e["msg"].removeprefix(_VALUE_ERROR),
        }
        for e in exc.errors(include_url=False, include_input=False)
    ]


class ApiError(Exception):
    """An error the client can act on: an HTTP status and a message."""

    def __init__(self, status: int, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail
        self.headers: dict[str, str] = {}

    def with_headers(self, headers: dict[str, str]) -> ApiError:
        """The same error, sent with these response headers (e.g. ``Retry-After``)."""
        self.headers.update(headers)
        return self


def error_response(status: int, message: str, **detail: Any) -> ResponseReturnValue:
    return jsonify({"error": message, **detail}), status


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> ResponseReturnValue:
        return jsonify({"error": exc.message, **exc.detail}), exc.status, exc.headers

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> ResponseReturnValue:
        messages = {
            413: "request body is larger than the limit of "
            f"{app.config.get('MAX_CONTENT_LENGTH')} bytes",
        }
        code = exc.code or 500
        return error_response(code, messages.get(code, exc.description or exc.name))

    @app.errorhandler(redis.ConnectionError)
    @app.errorhandler(redis.TimeoutError)
    def _redis_down(exc: Exception) -> ResponseReturnValue:
        app.logger.warning("Redis unavailable: %s", exc)
        return error_response(503, "storage unavailable: Redis cannot be reached; retry later")
