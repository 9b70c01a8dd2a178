"""Delivery of password-reset tokens. There is no mail service yet, so it is pluggable."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

import structlog

__all__ = ["LoggingResetSender", "RecordingResetSender", "ResetMessage", "ResetSender"]


@dataclass(frozen=True, slots=True)
class ResetMessage:
    user_id: uuid.UUID
    email: str
    token: str


class ResetSender(Protocol):
    async def send(self, message: ResetMessage) -> None: ...


class LoggingResetSender:
    """Development sender: writes the token to the log (the only place it ever appears)."""

    def __init__(self) -> None:
        self._log = structlog.get_logger("fitgraph.users.reset")

    async def send(self, message: ResetMessage) -> None:
        self._log.warning("password_reset_token", email=message.email, token=message.token, dev_only=True)


class RecordingResetSender:
    """Keeps every message in memory (tests, demos)."""

    def __init__(self) -> None:
        self.messages: list[ResetMessage] = []

    async def send(self, message: ResetMessage) -> None:
        self.messages.append(message)

    def last_token_for(self, email: str) -> str | None:
        wanted = email.strip().lower()
        for message in reversed(self.messages):
            if message.email.lower() == wanted:
                return message.token
        return None
