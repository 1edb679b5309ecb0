"""HTTP clients for the Memory (``/v1/ControlPlane``) and Conversations (``/v2/ControlPlane``) APIs.

One method per control-plane call, typed with the wire models. What every
call gets from :class:`_ApiClient`:

* HTTP Basic auth: API key SID + secret (recommended) or account SID + auth token.
* A ``User-Agent`` naming this package and its version; connect/read timeouts.
* Retries with exponential backoff and jitter that honour ``Retry-After``, made only when a retry
  cannot change the outcome: a 429, or a failed connect (the request never left), is retried for any
  call; a 500/502/503/504 or a broken connection only for reads, deletes, PUTs, conditional PATCHes
  (``If-Match``) and Conversations writes (which carry an ``Idempotency-Key``). A Memory create
  (POST) is never blindly repeated; the Store provider looks the store up by name instead.
  Every retry is logged at WARNING (method, path, status or error class, delay; never a credential),
  which the dynamic-provider host shows in ``pulumi up``'s diagnostics.
* Error statuses mapped to :mod:`.errors` with messages that name the call and say what to do,
  scrubbed of the secret.
* ``ETag`` (Memory fetches) and ``Operation-Id``/``Retry-After`` (202s) exposed on the results.

Transports are injectable (``transport=httpx.MockTransport(...)``), as is ``sleep`` for retries.
"""

from __future__ import annotations

import email.utils
import logging
import platform
import random
import socket
import ssl
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, ClassVar, Generic, TypeVar
from urllib.parse import quote, urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from . import models as m
from ._version import __version__
from .addresses import is_loopback_host
from .errors import ApiError, NotFoundError, TransportError, TwilioMemoryError, UnreachableError, redact
from .prefixes import CONVERSATIONS_CONTROL_PLANE, MEMORY_CONTROL_PLANE

__all__ = [
    "USER_AGENT",
    "Accepted",
    "ConversationsClient",
    "Credentials",
    "Fetched",
    "MemoryClient",
    "RetryPolicy",
]

log = logging.getLogger("pulumi_twilio_memory")

USER_AGENT = (
    f"pulumi-twilio-memory/{__version__} (Python {platform.python_version()}; httpx/{httpx.__version__})"
)
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

# A failed connect never reached the server, so repeating it is safe for any request.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _unreachable_reason(exc: BaseException) -> str | None:
    """ "refused", "dns" or "tls" when ``exc`` (a connect failure) says the base URL cannot be
    reached at all; None for failures worth retrying (timeouts, resets, dropped connections)."""
    if not isinstance(exc, httpx.ConnectError):
        return None
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError):
            return "tls"
        if isinstance(current, socket.gaierror):
            return "dns"
        if isinstance(current, ConnectionRefusedError):
            return "refused"
        current = current.__cause__ or current.__context__
    text = str(exc)
    if "SSL" in text or "TLS" in text or "CERTIFICATE" in text.upper():
        return "tls"
    if "Name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return "dns"
    if "Connection refused" in text or "Errno 111" in text:
        return "refused"
    return None


_RETRY_IF_SAFE_STATUSES = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class Credentials:
    """HTTP Basic credentials; the password never appears in ``repr``."""

    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry.

    ``delay()`` is the wait before retry number ``attempt`` (1-based): ``Retry-After`` when the
    server sent one (capped at ``max_retry_after``), otherwise ``initial_delay * multiplier**(n-1)``
    capped at ``max_delay``, with "equal jitter" (half fixed, half random) so that parallel
    resources do not retry in lockstep.
    """

    max_attempts: int = 6
    initial_delay: float = 0.5
    multiplier: float = 2.0
    max_delay: float = 20.0
    max_retry_after: float = 60.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        base = min(self.max_delay, self.initial_delay * self.multiplier ** (attempt - 1))
        return base / 2 + rng.uniform(0, base / 2)


@dataclass(frozen=True)
class Fetched(Generic[T]):
    """A successful read: the parsed body plus the headers a caller needs later."""

    value: T
    etag: str | None = None
    retry_after: float | None = None


@dataclass(frozen=True)
class Accepted:
    """A 202: where to follow the operation. ``resource_id`` is known up front only for
    Conversations (``related.configurationId``); Memory reports it in the finished operation."""

    operation_id: str
    status_url: str | None = None
    retry_after: float | None = None
    message: str | None = None
    resource_id: str | None = None


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date); None if absent/garbled."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now())


class _Redactor:
    """Scrubs the secret out of text the server or the network stack produced; its ``repr``
    does not show what it holds, so a dump of a client's attributes leaks nothing."""

    __slots__ = ("_secrets",)

    def __init__(self, *secrets: str) -> None:
        self._secrets = secrets

    def __call__(self, text: str) -> str:
        return redact(text, self._secrets)

    def __repr__(self) -> str:
        return "_Redactor(<hidden>)"


def _segment(value: str) -> str:
    """One URL path segment; ids and names are quoted so a '/' can never change the path."""
    return quote(value, safe="")


class _ApiClient:
    """Shared HTTP machinery; thread-safe (``httpx.Client`` is), so one instance serves the four
    worker threads of the provider host."""

    product: ClassVar[str] = "Twilio"
    prefix: ClassVar[str] = ""
    base_url_setting: ClassVar[str] = ""

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self._redact = _Redactor(credentials.password)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=httpx.BasicAuth(credentials.username, credentials.password),
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the one request path ------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        action: str,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        retry_safe: bool | None = None,
    ) -> httpx.Response:
        """Send one logical request, retrying where that is safe; raise mapped errors.

        ``action`` completes "Could not …" in error messages (e.g. ``"update store mem_store_…"``).
        ``retry_safe`` defaults to True for GET/PUT/DELETE and for anything sent with ``If-Match``
        or ``Idempotency-Key``.
        """
        hdrs = dict(headers or {})
        if retry_safe is None:
            retry_safe = method in ("GET", "HEAD", "PUT", "DELETE") or any(
                k.lower() in ("if-match", "idempotency-key") for k in hdrs
            )
        url = f"{self.prefix}{path}"
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._http.request(method, url, json=json, params=params, headers=hdrs)
            except httpx.TransportError as exc:
                unreachable = self._unreachable(exc, action)
                if unreachable is not None:
                    raise unreachable from None
                retryable = isinstance(exc, _NOT_SENT) or retry_safe
                if retryable and attempt < self.retry.max_attempts:
                    self._pause(attempt, None, method, url, type(exc).__name__)
                    continue
                raise self._transport_error(
                    exc, method, url, action=action, attempts=attempt, retry_safe=retry_safe
                ) from None
            status = response.status_code
            if status < 400:
                return response
            retryable = status == 429 or (retry_safe and status in _RETRY_IF_SAFE_STATUSES)
            if retryable and attempt < self.retry.max_attempts:
                response.close()
                self._pause(
                    attempt, parse_retry_after(response.headers.get("Retry-After")), method, url, status
                )
                continue
            raise self._api_error(response, action, attempt)

    def _pause(self, attempt: int, retry_after: float | None, method: str, url: str, why: object) -> None:
        delay = self.retry.delay(attempt, retry_after, self._rng)
        log.warning(
            "%s: %s %s failed (%s); retrying in %.2fs (attempt %d of %d)",
            self.product,
            method,
            url,
            f"HTTP {why}" if isinstance(why, int) else why,
            delay,
            attempt + 1,
            self.retry.max_attempts,
        )
        self._sleep(delay)

    def _unreachable(self, exc: httpx.TransportError, action: str) -> UnreachableError | None:
        """A clear, final error when the base URL cannot be reached at all, else None."""
        reason = _unreachable_reason(exc)
        if reason is None:
            return None
        parts = urlsplit(self.base_url)
        host = parts.hostname or parts.netloc
        port = parts.port or (443 if parts.scheme == "https" else 80)
        local = is_loopback_host(host)
        setting = self.base_url_setting
        if reason == "refused" and local:
            advice = (
                f"nothing is listening on {host}:{port}. Is the emulator running? Start it with "
                f"`twilio-memory-emulator --port {port}`, or point {setting} at the port it listens on."
            )
        elif reason == "refused":
            advice = f"{host}:{port} refused the connection. Check {setting} and network access."
        elif reason == "dns":
            advice = (
                f"the host name {host!r} does not resolve. Check {setting} (Twilio's hosts look like "
                "https://memory.twilio.com, regional ones like https://memory.dublin.ie1.twilio.com) and DNS."
            )
        elif local:
            advice = (
                f"{host}:{port} answers but not with TLS: the emulator serves plain HTTP, so use "
                f"http://{parts.netloc} in {setting}."
            )
        else:
            advice = (
                f"the TLS handshake with {host}:{port} failed. Check {setting} and the server's certificate."
            )
        detail = self._redact(f"{type(exc).__name__}: {exc}")
        message = f"Could not {action}: {self.product} at {self.base_url} is unreachable: {advice} ({detail})"
        return UnreachableError(message, url=self.base_url, reason=reason)

    def _transport_error(
        self,
        exc: httpx.TransportError,
        method: str,
        url: str,
        *,
        action: str,
        attempts: int,
        retry_safe: bool,
    ) -> TransportError:
        detail = self._redact(f"{type(exc).__name__}: {exc}")
        tried = f" after {attempts} attempts" if attempts > 1 else ""
        unsafe = (
            "" if retry_safe or isinstance(exc, _NOT_SENT) else " (not retried: it may have been applied)"
        )
        message = (
            f"Could not {action}: no response from {self.product} at {self.base_url}{tried}{unsafe}: "
            f"{detail}. Check network access, and {self.base_url_setting} if you override the base URL."
        )
        return TransportError(message, method=method, url=f"{self.base_url}{url}")

    def _api_error(self, response: httpx.Response, action: str, attempts: int) -> ApiError:
        status = response.status_code
        code: int | None = None
        more_info: str | None = None
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            raw_code = body.get("code")
            code = raw_code if isinstance(raw_code, int) else None
            text = body.get("message") or body.get("detail") or body.get("title") or ""
            api_message = str(text)
            info = body.get("more_info") or body.get("type")
            more_info = str(info) if info else None
        else:
            api_message = response.text[:300].strip()
        api_message = self._redact(api_message)
        cls = ApiError.for_status(status)
        code_text = f", Twilio error {code}" if code is not None and code != status else ""
        tried = f", after {attempts} attempts" if attempts > 1 else ""
        link = f" See {more_info}." if more_info and more_info.startswith("http") else ""
        reason = api_message or response.reason_phrase or "no details"
        message = f"Could not {action}: {reason} (HTTP {status}{code_text}{tried}).{link} {cls.hint}".rstrip()
        return cls(
            message,
            status=status,
            code=code,
            api_message=api_message,
            more_info=more_info,
            method=response.request.method,
            url=str(response.request.url),
            headers={k.lower(): v for k, v in response.headers.items() if k.lower() != "set-cookie"},
            attempts=attempts,
        )

    # -- helpers shared by the typed methods ---------------------------------------------------

    def _parse(self, model: type[M], data: Any, action: str) -> M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise TwilioMemoryError(
                f"Could not {action}: {self.product} returned a response this provider does not "
                f"understand ({exc.error_count()} problem(s), first: {exc.errors()[0]['msg']}). "
                f"Upgrade pulumi-twilio-memory, or report the response shape."
            ) from None

    def _json(self, response: httpx.Response, action: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise TwilioMemoryError(
                f"Could not {action}: {self.product} returned HTTP {response.status_code} "
                "without a JSON body."
            ) from None

    def _get(
        self, path: str, action: str, params: Mapping[str, Any] | None = None
    ) -> tuple[Any, httpx.Response]:
        response = self.request("GET", path, action=action, params=params)
        return self._json(response, action), response

    def _fetch(
        self, model: type[M], path: str, action: str, *, params: Mapping[str, Any] | None = None
    ) -> Fetched[M]:
        data, response = self._get(path, action, params)
        return Fetched(
            self._parse(model, data, action),
            etag=response.headers.get("ETag"),
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )

    def _accepted(self, response: httpx.Response, action: str) -> Accepted:
        """Where to follow a 202 (or a synchronous 200/201/204 some API versions may return)."""
        data: Any = None
        if response.content:
            try:
                data = response.json()
            except ValueError:
                data = None
        body = data if isinstance(data, dict) else {}
        status_url = body.get("statusUrl") or response.headers.get("Location")
        operation_id = response.headers.get("Operation-Id") or ""
        if not operation_id and status_url:
            operation_id = urlsplit(str(status_url)).path.rstrip("/").rsplit("/", 1)[-1]
        related = body.get("related") if isinstance(body.get("related"), dict) else {}
        return Accepted(
            operation_id=operation_id,
            status_url=str(status_url) if status_url else None,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            message=body.get("message"),
            resource_id=related.get("configurationId") if related else None,
        )

    def send(
        self,
        method: str,
        path: str,
        *,
        action: str,
        body: BaseModel | dict[str, Any] | None = None,
        if_match: str | None = None,
        headers: Mapping[str, str] | None = None,
        retry_safe: bool | None = None,
    ) -> Accepted:
        """A write that answers 202: send it (``If-Match`` when ``if_match``), return where to follow it."""
        payload = m.to_wire(body) if isinstance(body, BaseModel) else body
        hdrs = {**(headers or {}), **({"If-Match": if_match} if if_match else {})}
        response = self.request(
            method, path, json=payload, headers=hdrs, action=action, retry_safe=retry_safe
        )
        return self._accepted(response, action)

    def _pages(self, path: str, key: str, action: str, params: Mapping[str, Any]) -> Iterator[Any]:
        """Follow ``meta.nextToken`` until it is absent or empty, yielding the items under ``key``."""
        query = dict(params)
        while True:
            response = self.request("GET", path, action=action, params=query)
            data = self._json(response, action)
            yield from data.get(key) or []
            token = (data.get("meta") or {}).get("nextToken")
            if not token:
                return
            query["pageToken"] = token


_C = TypeVar("_C", bound=_ApiClient)


class MemoryClient(_ApiClient):
    """Conversation Memory control plane: stores, trait groups, identity resolution, data mappings,
    operations."""

    product = "Twilio Memory"
    prefix = MEMORY_CONTROL_PLANE
    base_url_setting = "twilio-memory:memoryBaseUrl (TWILIO_MEMORY_BASE_URL)"

    # -- stores ---------------------------------------------------------------------------

    def iter_store_ids(self, *, page_size: int = 100, order_by: str | None = None) -> Iterator[str]:
        params: dict[str, Any] = {"pageSize": page_size}
        if order_by:
            params["orderBy"] = order_by
        for item in self._pages("/Stores", "stores", "list memory stores", params):
            yield item if isinstance(item, str) else str(item.get("id"))

    def list_store_ids(self, *, page_size: int = 100) -> list[str]:
        return list(self.iter_store_ids(page_size=page_size))

    def iter_stores(self, *, page_size: int = 100) -> Iterator[Fetched[m.Store]]:
        """Every store with details (the list only has ids); stores deleted meanwhile are skipped."""
        for store_id in self.iter_store_ids(page_size=page_size):
            found = self.find_store(store_id)
            if found is not None:
                yield found

    def get_store(self, store_id: str) -> Fetched[m.Store]:
        return self._fetch(m.Store, f"/Stores/{_segment(store_id)}", f"read store {store_id}")

    def find_store(self, store_id: str) -> Fetched[m.Store] | None:
        """The store, or None when it does not exist (404). Other errors raise."""
        try:
            return self.get_store(store_id)
        except NotFoundError:
            return None

    def find_store_by_display_name(self, display_name: str) -> Fetched[m.Store] | None:
        """The store with this display name (unique per account), or None."""
        for found in self.iter_stores():
            if found.value.display_name == display_name:
                return found
        return None

    def create_store(self, body: m.StoreCreate) -> Accepted:
        """POST a store. Not retried on ambiguous failures: see ``resources.store``."""
        return self.send(
            "POST", "/Stores", body=body, action=f"create store {body.display_name!r}", retry_safe=False
        )

    def update_store(self, store_id: str, body: m.StoreUpdate, *, if_match: str | None = None) -> Accepted:
        """PATCH (conditional when ``if_match``; retried like a read, as a PATCH sets values)."""
        path = f"/Stores/{_segment(store_id)}"
        return self.send(
            "PATCH", path, body=body, if_match=if_match, action=f"update store {store_id}", retry_safe=True
        )

    def delete_store(self, store_id: str) -> Accepted:
        return self.send("DELETE", f"/Stores/{_segment(store_id)}", action=f"delete store {store_id}")

    # -- trait groups ---------------------------------------------------------------------

    def _trait_group_path(self, store_id: str, name: str | None = None) -> str:
        path = f"/Stores/{_segment(store_id)}/TraitGroups"
        return f"{path}/{_segment(name)}" if name is not None else path

    def list_trait_groups(
        self, store_id: str, *, include_traits: bool = False, page_size: int = 50
    ) -> list[m.TraitGroup]:
        action = f"list trait groups of store {store_id}"
        params = {"pageSize": page_size, "includeTraits": "true" if include_traits else "false"}
        return [
            self._parse(m.TraitGroup, item, action)
            for item in self._pages(self._trait_group_path(store_id), "traitGroups", action, params)
        ]

    def get_trait_group(self, store_id: str, name: str) -> Fetched[m.TraitGroup]:
        """One group with all its traits (following trait pages if the API ever paginates them).

        The fetch wraps the group in ``traitGroup`` (list items are bare); both layouts are read.
        """
        action = f"read trait group {name!r} of store {store_id}"
        path = self._trait_group_path(store_id, name)
        query: dict[str, Any] = {"includeTraits": "true"}
        data, response = self._get(path, action, query)
        group = self._parse(m.TraitGroup, data.get("traitGroup", data), action)
        token = (data.get("meta") or {}).get("nextToken")
        while token:
            query["pageToken"] = token
            page, _ = self._get(path, action, query)
            more = self._parse(m.TraitGroup, page.get("traitGroup", page), action)
            group = group.model_copy(update={"traits": {**(group.traits or {}), **(more.traits or {})}})
            token = (page.get("meta") or {}).get("nextToken")
        return Fetched(
            group,
            etag=response.headers.get("ETag"),
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )

    def find_trait_group(self, store_id: str, name: str) -> Fetched[m.TraitGroup] | None:
        try:
            return self.get_trait_group(store_id, name)
        except NotFoundError:
            return None

    def create_trait_group(self, store_id: str, body: m.TraitGroupCreate) -> Accepted:
        action = f"create trait group {body.display_name!r} in store {store_id}"
        return self.send("POST", self._trait_group_path(store_id), body=body, action=action, retry_safe=False)

    def update_trait_group(
        self, store_id: str, name: str, body: m.TraitGroupUpdate, *, if_match: str | None = None
    ) -> Accepted:
        action = f"update trait group {name!r} of store {store_id}"
        path = self._trait_group_path(store_id, name)
        return self.send("PATCH", path, body=body, if_match=if_match, action=action, retry_safe=True)

    def delete_trait_group(self, store_id: str, name: str) -> Accepted:
        action = f"delete trait group {name!r} of store {store_id}"
        return self.send("DELETE", self._trait_group_path(store_id, name), action=action)

    # -- identity resolution settings -----------------------------------------------------

    def get_identity_resolution_settings(self, store_id: str) -> Fetched[m.IdentityResolutionSettings]:
        return self._fetch(
            m.IdentityResolutionSettings,
            f"/Stores/{_segment(store_id)}/IdentityResolutionSettings",
            f"read identity resolution settings of store {store_id}",
        )

    def put_identity_resolution_settings(
        self, store_id: str, body: m.IdentityResolutionSettingsPut, *, if_match: str | None = None
    ) -> Accepted:
        action = f"replace identity resolution settings of store {store_id}"
        path = f"/Stores/{_segment(store_id)}/IdentityResolutionSettings"
        return self.send("PUT", path, body=body, if_match=if_match, action=action)

    # -- data mappings ---------------------------------------------------------------------

    def _data_mapping_path(self, store_id: str, mapping_id: str | None = None) -> str:
        path = f"/Stores/{_segment(store_id)}/DataMappings"
        return f"{path}/{_segment(mapping_id)}" if mapping_id is not None else path

    def iter_data_mappings(
        self, store_id: str, *, type_: str | None = None, page_size: int = 100
    ) -> Iterator[m.DataMapping]:
        """Every data mapping of the store (``type_``: only those reading from that type)."""
        action = f"list data mappings of store {store_id}"
        params: dict[str, Any] = {"pageSize": page_size}
        if type_:
            params["type"] = type_
        for item in self._pages(self._data_mapping_path(store_id), "dataMappings", action, params):
            yield self._parse(m.DataMapping, item, action)

    def list_data_mappings(self, store_id: str, *, type_: str | None = None) -> list[m.DataMapping]:
        return list(self.iter_data_mappings(store_id, type_=type_))

    def get_data_mapping(self, store_id: str, mapping_id: str) -> Fetched[m.DataMapping]:
        return self._fetch(
            m.DataMapping,
            self._data_mapping_path(store_id, mapping_id),
            f"read data mapping {mapping_id} of store {store_id}",
        )

    def find_data_mapping(self, store_id: str, mapping_id: str) -> Fetched[m.DataMapping] | None:
        """The mapping, or None when it (or its store) does not exist (404). Other errors raise."""
        try:
            return self.get_data_mapping(store_id, mapping_id)
        except NotFoundError:
            return None

    def find_data_mapping_by_display_name(
        self, store_id: str, display_name: str
    ) -> Fetched[m.DataMapping] | None:
        """The mapping with this display name (unique in a store), with its ETag, or None."""
        for mapping in self.iter_data_mappings(store_id):
            if mapping.display_name == display_name:
                return self.find_data_mapping(store_id, mapping.id)
        return None

    def create_data_mapping(self, store_id: str, body: m.DataMappingCreate) -> Accepted:
        """POST (not retried on ambiguous failures: see ``resources.data_mapping``); the new id is
        the finished operation's ``result.id``."""
        action = f"create data mapping {body.display_name!r} in store {store_id}"
        return self.send(
            "POST", self._data_mapping_path(store_id), body=body, action=action, retry_safe=False
        )

    def update_data_mapping(
        self, store_id: str, mapping_id: str, body: m.DataMappingPatch, *, if_match: str | None = None
    ) -> Accepted:
        """PATCH (conditional when ``if_match``); ``mappingTo`` is replaced whole."""
        action = f"update data mapping {mapping_id} of store {store_id}"
        path = self._data_mapping_path(store_id, mapping_id)
        return self.send("PATCH", path, body=body, if_match=if_match, action=action, retry_safe=True)

    def delete_data_mapping(self, store_id: str, mapping_id: str) -> Accepted:
        action = f"delete data mapping {mapping_id} of store {store_id}"
        return self.send("DELETE", self._data_mapping_path(store_id, mapping_id), action=action)

    # -- operations -----------------------------------------------------------------------

    def get_operation(self, operation_id: str) -> Fetched[m.MemoryOperation]:
        return self._fetch(
            m.MemoryOperation,
            f"/Operations/{_segment(operation_id)}",
            f"read memory operation {operation_id}",
        )


class ConversationsClient(_ApiClient):
    """Conversations v2 control plane: configurations and their operations.

    Every write carries an ``Idempotency-Key`` (a fresh UUID per logical call, reused by its
    retries), so writes are retried like reads.
    """

    product = "Twilio Conversations"
    prefix = CONVERSATIONS_CONTROL_PLANE
    base_url_setting = "twilio-memory:conversationsBaseUrl (TWILIO_CONVERSATIONS_BASE_URL)"

    def _write(
        self,
        method: str,
        path: str,
        action: str,
        body: BaseModel | dict[str, Any] | None,
        idempotency_key: str | None,
    ) -> Accepted:
        headers = {"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
        return self.send(method, path, body=body, headers=headers, action=action)

    def iter_configurations(
        self, *, memory_store_id: str | None = None, page_size: int = 100
    ) -> Iterator[m.Configuration]:
        action = "list conversation configurations"
        params: dict[str, Any] = {"pageSize": page_size}
        if memory_store_id:
            params["memoryStoreId"] = memory_store_id
        for item in self._pages("/Configurations", "configurations", action, params):
            yield self._parse(m.Configuration, item, action)

    def list_configurations(self, *, memory_store_id: str | None = None) -> list[m.Configuration]:
        return list(self.iter_configurations(memory_store_id=memory_store_id))

    def get_configuration(self, configuration_id: str) -> Fetched[m.Configuration]:
        return self._fetch(
            m.Configuration,
            f"/Configurations/{_segment(configuration_id)}",
            f"read conversation configuration {configuration_id}",
        )

    def find_configuration(self, configuration_id: str) -> Fetched[m.Configuration] | None:
        try:
            return self.get_configuration(configuration_id)
        except NotFoundError:
            return None

    def find_configuration_by_display_name(self, display_name: str) -> m.Configuration | None:
        for configuration in self.iter_configurations():
            if configuration.display_name == display_name:
                return configuration
        return None

    def create_configuration(
        self, body: m.ConfigurationCreate, *, idempotency_key: str | None = None
    ) -> Accepted:
        """POST; the new id is ``Accepted.resource_id`` (``related.configurationId``)."""
        action = f"create conversation configuration {body.display_name!r}"
        return self._write("POST", "/Configurations", action, body, idempotency_key)

    def replace_configuration(
        self, configuration_id: str, body: m.ConfigurationPut, *, idempotency_key: str | None = None
    ) -> Accepted:
        action = f"replace conversation configuration {configuration_id}"
        return self._write(
            "PUT", f"/Configurations/{_segment(configuration_id)}", action, body, idempotency_key
        )

    def patch_configuration(
        self, configuration_id: str, body: m.ConfigurationPatch, *, idempotency_key: str | None = None
    ) -> Accepted:
        """PATCH only the fields that were explicitly set on ``body``; a channel set to None is
        sent as ``null``, which removes it (the official SDK cannot express that)."""
        action = f"update conversation configuration {configuration_id}"
        payload = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
        return self._write(
            "PATCH", f"/Configurations/{_segment(configuration_id)}", action, payload, idempotency_key
        )

    def delete_configuration(self, configuration_id: str, *, idempotency_key: str | None = None) -> Accepted:
        action = f"delete conversation configuration {configuration_id}"
        return self._write(
            "DELETE", f"/Configurations/{_segment(configuration_id)}", action, None, idempotency_key
        )

    def get_operation(self, operation_id: str) -> Fetched[m.ConversationsOperation]:
        return self._fetch(
            m.ConversationsOperation,
            f"/Operations/{_segment(operation_id)}",
            f"read conversations operation {operation_id}",
        )
