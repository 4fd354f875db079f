"""HTTP GET for connectors: bounded in time and size, errors a consultant can read, no secret in them.

Feeds and APIs are other people's servers: one may stall, send a 2 GB file or answer with an error page.
``get_capped`` streams the body and stops at ``max_bytes`` (counted after decompression, so a gzip bomb
is caught too), and turns every failure into a ``FetchError`` whose message says what went wrong
without echoing credentials that may sit in the URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

# Query parameters that commonly carry credentials in feed and API URLs.
SECRET_PARAMS = ("token", "key", "secret", "password", "passwd", "auth", "sig", "signature", "session")


class FetchError(Exception):
    """A GET failed: timeout, connection error, HTTP error status, or a body over the size cap."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int  # 200..299 or 304
    headers: dict[str, str]  # names lowercased
    body: bytes


def redact_url(url: str) -> str:
    """``url`` fit for a log or an error: no password, no value of a credential-like query parameter."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        netloc = f"{userinfo.split(':', 1)[0]}:***@{host}" if ":" in userinfo else f"***@{host}"
    query = urlencode(
        [
            (name, "***" if any(word in name.lower() for word in SECRET_PARAMS) else value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
        ],
        safe="*",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def http_client(user_agent: str, connect_timeout: float, read_timeout: float) -> httpx.Client:
    """A client that follows redirects; ``read_timeout`` bounds each wait for data, not the whole body."""
    return httpx.Client(
        headers={"User-Agent": user_agent},
        timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        follow_redirects=True,
    )


def get_capped(client: httpx.Client, url: str, headers: dict[str, str], max_bytes: int) -> Fetched:
    """GET ``url``; return a 2xx or 304 response with its body, or raise ``FetchError``."""
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return Fetched(str(response.url), 304, _lowered(response.headers), b"")
            if response.status_code >= 400 or response.status_code < 200:
                raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".rstrip())
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"response is {int(declared):,} bytes, over the {max_bytes:,}-byte limit (max_bytes)")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise FetchError(f"response is over the {max_bytes:,}-byte limit (max_bytes)")
            return Fetched(str(response.url), response.status_code, _lowered(response.headers), bytes(body))
    except httpx.ConnectTimeout:
        raise FetchError(f"timed out connecting after {client.timeout.connect:g} s") from None
    except httpx.TimeoutException:
        raise FetchError(f"timed out: no data for {client.timeout.read:g} s") from None
    except httpx.TooManyRedirects:
        raise FetchError("too many redirects") from None
    except httpx.ConnectError as error:
        raise FetchError(f"cannot connect ({_reason(error)})") from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
        raise FetchError(f"invalid URL ({_reason(error)})") from None
    except httpx.HTTPError as error:
        raise FetchError(f"{type(error).__name__} ({_reason(error)})") from None


def _lowered(headers: httpx.Headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _reason(error: Exception) -> str:
    # httpx messages can embed the request URL; keep only the first line and redact any URL in it.
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return " ".join(redact_url(word) if "://" in word else word for word in text.split())
