"""Raw HTTP/1.1 on loopback for tests that script a subgraph's bytes: reading one request."""

from __future__ import annotations

import asyncio

__all__ = ["read_request"]


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """The next request's head and its Content-Length body (the router's client always sends
    one); raises asyncio.IncompleteReadError when the client closes the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return head, await reader.readexactly(length)
