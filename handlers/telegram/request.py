"""Bot API transport: python-telegram-bot's ``BaseRequest`` on aiohttp, and the backend choice.

PTB talks HTTP through a ``BaseRequest`` (its documented extension point); the stock one is
``HTTPXRequest``. ``AiohttpRequest`` does the same job on aiohttp, which on the benchmark here
(``benchmarks/run.py``) roughly doubles what one bot process gets through a loopback Bot API.
``api_request`` and ``get_updates_request`` make the two an ``Application`` needs for the
configured backend (same pool sizes and timeouts for both backends, so only the transport
differs): a pooled one for ordinary calls and a single-connection one for ``getUpdates``.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Literal

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput

Backend = Literal["aiohttp", "httpx"]
_DEFAULT = BaseRequest.DEFAULT_NONE  # "not given": use the instance's default timeout

# PTB adds the long-poll timeout to this for getUpdates; the slack covers a slow answer.
GET_UPDATES_READ_TIMEOUT = 10.0
_JSON = {"Content-Type": "application/json"}
POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. Request was *not* sent "
    "to Telegram. Consider adjusting the connection pool size or the pool timeout."
)


class AiohttpRequest(BaseRequest):
    """A ``BaseRequest`` on an ``aiohttp.ClientSession``, with ``HTTPXRequest``'s contract.

    Parameters are sent as a JSON body (``RequestData.json_parameters``, which the Bot API
    accepts like a form and which spares URL-encoding long texts and keyboards), or as
    multipart/form-data when files are uploaded. ``connect_timeout`` bounds opening a
    connection, ``read_timeout`` each wait for data of the answer, ``pool_timeout`` the wait for
    a free connection of the pool. aiohttp has no timeout on a single write, so
    ``write_timeout`` (``media_write_timeout`` for uploads) is enforced through an overall
    deadline of connect + write + read on every request that sends a body. Timeouts raise
    PTB's ``TimedOut``, other transport failures ``NetworkError``.

    Args:
        connection_pool_size: Most connections open (and requests in flight) at once.
        read_timeout: Default seconds to wait for data from the server (None: no limit).
        write_timeout: Default seconds for sending a request (see above).
        connect_timeout: Default seconds to establish a connection.
        pool_timeout: Default seconds to wait for a free connection.
        media_write_timeout: Default ``write_timeout`` for requests that upload files.
    """

    __slots__ = ("_default_post", "_defaults", "_pool", "_pool_size", "_session")

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._pool_size = connection_pool_size
        self._defaults = {"read": read_timeout, "write": write_timeout,
                          "connect": connect_timeout, "pool": pool_timeout,
                          "media_write": media_write_timeout}
        self._default_post = self._timeout(_DEFAULT, _DEFAULT, _DEFAULT)
        self._pool = asyncio.Semaphore(connection_pool_size)
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds (see ``BaseRequest.read_timeout``)."""
        return self._defaults["read"]

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the HTTP status and body (see ``BaseRequest.do_request``).

        Raises:
            TimedOut: A timeout expired (or no pooled connection became free in time).
            NetworkError: Any other transport failure.
            RuntimeError: The request object is not initialized.
        """
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = None
        data: aiohttp.FormData | bytes | None = None
        headers = None
        if request_data is not None:
            parameters = request_data.json_parameters
            if request_data.contains_files:
                files = request_data.multipart_data
                data = _form_data(parameters, files)
            elif parameters:
                data, headers = json.dumps(parameters).encode(), _JSON
        if data is None:  # nothing to send: no write deadline
            timeout = self._timeout(read_timeout, None, connect_timeout)
        elif files is None and read_timeout is write_timeout is connect_timeout is _DEFAULT:
            timeout = self._default_post
        else:
            timeout = self._timeout(read_timeout, write_timeout, connect_timeout,
                                    upload=files is not None)
        await self._acquire(pool_timeout)
        try:
            async with session.request(method, url, data=data, headers=headers,
                                       timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's timeouts all derive from it
            raise TimedOut from error
        except aiohttp.ClientError as error:  # its text may name the URL, which holds the token
            text = str(error).replace(url, url.rsplit("/", 1)[-1])
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {text}") from error
        finally:
            self._pool.release()

    async def _acquire(self, pool_timeout: ODVInput[float]) -> None:
        """Take a pooled connection slot, waiting at most the pool timeout."""
        if not self._pool.locked():
            await self._pool.acquire()
            return
        seconds = self._pick(pool_timeout, "pool")
        try:
            async with asyncio.timeout(seconds):
                await self._pool.acquire()
        except TimeoutError as error:
            raise TimedOut(POOL_TIMEOUT_MESSAGE) from error

    def _timeout(
        self,
        read: ODVInput[float],
        write: ODVInput[float] | None,
        connect: ODVInput[float],
        *,
        upload: bool = False,
    ) -> aiohttp.ClientTimeout:
        """The aiohttp timeout for one request; ``write=None``: nothing to send, no deadline."""
        read_s, connect_s = self._pick(read, "read"), self._pick(connect, "connect")
        total = None
        if write is not None:
            write_s = self._pick(write, "media_write" if upload else "write")
            if None not in (read_s, write_s, connect_s):
                total = (read_s or 0) + (write_s or 0) + (connect_s or 0)
        return aiohttp.ClientTimeout(total=total, sock_connect=connect_s, sock_read=read_s)

    def _pick(self, value: ODVInput[float], name: str) -> float | None:
        """The given timeout, or this instance's default when not given."""
        return self._defaults[name] if value is _DEFAULT else value  # type: ignore[return-value]


def _form_data(fields: dict[str, str], files: dict[str, tuple[str, object, str]]
               ) -> aiohttp.FormData:
    """A multipart body: the parameters as text fields, then the files."""
    form = aiohttp.FormData(quote_fields=False)
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form


def api_request(backend: Backend, *, connection_pool_size: int) -> BaseRequest:
    """The request object for ordinary Bot API calls.

    Args:
        backend: ``"aiohttp"`` for ``AiohttpRequest``, ``"httpx"`` for PTB's ``HTTPXRequest``.
        connection_pool_size: Most connections open at once.
    """
    if backend == "aiohttp":
        return AiohttpRequest(connection_pool_size=connection_pool_size)
    return HTTPXRequest(connection_pool_size=connection_pool_size)


def get_updates_request(backend: Backend) -> BaseRequest:
    """The request object for ``getUpdates``: one connection, room for the long poll."""
    if backend == "aiohttp":
        return AiohttpRequest(connection_pool_size=1, read_timeout=GET_UPDATES_READ_TIMEOUT)
    return HTTPXRequest(connection_pool_size=1, read_timeout=GET_UPDATES_READ_TIMEOUT)
