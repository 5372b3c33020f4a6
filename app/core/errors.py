"""The one application error type. Routes and services raise it; handlers render it."""
from __future__ import annotations


class AppError(Exception):
    def __init__(self, status_code: int, message: str, code: str = "error") -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.code = code


def not_found(what: str) -> AppError:
    return AppError(404, f"{what} was not found.", "not_found")


def forbidden(message: str = "You do not have access to this page.") -> AppError:
    return AppError(403, message, "forbidden")


def bad_request(message: str, code: str = "bad_request") -> AppError:
    return AppError(400, message, code)


def conflict(message: str, code: str = "conflict") -> AppError:
    return AppError(409, message, code)
