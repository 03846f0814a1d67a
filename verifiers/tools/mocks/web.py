"""HTTP-style tools: GET/POST echo endpoints, page fetches, URL checks, DNS and IP lookups, short links.

Nothing goes on the network: every response is built from the URL and a seeded generator.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from verifiers.tools.mocks.places import CITIES
from verifiers.tools.mocks.registry import Call, Mock, collector
from verifiers.tools.mocks.util import NOW, MockError, Rand, clip, iso, jsonable

MOCKS: list[Mock] = []
mock = collector("web", MOCKS, "web http net network")

_URL = "url uri endpoint link href address target api_url website site page_url"
_HOST = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def check_url(raw: str) -> tuple[str, Any]:
    """The URL and its parts; raises MockError the way a client library rejects a bad URL."""
    url = raw.strip()
    if "://" not in url and _HOST.fullmatch(url.split("/")[0].lower()) and "." in url.split("/")[0]:
        url = "https://" + url
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        _ = parts.port
    except ValueError as exc:
        raise MockError(f"invalid URL '{clip(url, 80)}'") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise MockError(f"invalid URL '{clip(url, 80)}': expected http(s)://host/...")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not _HOST.fullmatch(host) or "." not in host and host != "localhost":
            raise MockError(f"invalid host name '{clip(host, 60)}'") from None
    return url, parts


def _body(url: str, parts: Any, method: str, sent: Any) -> dict[str, Any]:
    rand = Rand("http", method, url)
    tail = [seg for seg in parts.path.split("/") if seg]
    resource = tail[-2] if len(tail) > 1 and tail[-1].isdigit() else (tail[-1] if tail else "root")
    body: dict[str, Any] = {"id": int(tail[-1]) if tail and tail[-1].isdigit() and len(tail[-1]) < 12
                            else rand.randint(1, 9999), "resource": clip(resource, 60)}
    if method == "GET":
        body |= {"name": f"{resource.rstrip('s').title()} {rand.randint(1, 99)}", "status": "active",
                 "created_at": f"2025-05-0{rand.randint(1, 9)}T10:00:00Z",
                 "query": dict(parse_qsl(parts.query)[:20])}
    else:
        body |= {"received": jsonable(sent), "updated_at": iso(NOW)}
    return body


def _respond(c: Call, method: str) -> dict[str, Any]:
    url, parts = check_url(c.need("url", limit=2000))
    sent = c.value("body") if c.value("body") is not None else c.mapping("params") or None
    status = {"POST": 201, "DELETE": 204}.get(method, 200)
    body = None if method in ("DELETE", "HEAD") else _body(url, parts, method, sent)
    return {"url": url, "method": method, "status": status, "ok": True,
            "headers": {"content-type": "application/json; charset=utf-8", "date": NOW.strftime(
                "%a, %d %b %Y %H:%M:%S GMT"), "x-request-id": Rand("rid", method, url).hexstr(16)},
            "body": body, "elapsed_ms": Rand("latency", url).randint(40, 400)}


_HTTP = {"url": _URL, "method": "method http_method verb request_method type", "headers": "headers header",
         "body": "body data json payload content request_body post_data form", "params": "params query query_params "
         "parameters args"}


@mock("http_request", topic="http https request rest api endpoint curl", extra="get call fetch send request make",
      anti="post put patch delete", desc="send an HTTP request to a URL and return the status and response body",
      params=_HTTP, required=("url",), example={"url": "https://api.example.com/users/42", "method": "GET"},
      summary="Generic HTTP request")
def http_request(c: Call) -> dict[str, Any]:
    method = c.text("method", "GET").upper()
    if method not in _METHODS:
        raise MockError(f"unsupported HTTP method '{clip(method, 20)}'")
    return _respond(c, method)


@mock("http_post", topic="http https request rest api endpoint webhook", extra="post put patch submit send create",
      anti="get delete", desc="send an HTTP POST request with a JSON body", params=_HTTP, required=("url",),
      example={"url": "https://api.example.com/orders", "body": {"item": "book", "qty": 1}}, summary="HTTP POST")
def http_post(c: Call) -> dict[str, Any]:
    name = c.tool.lower()
    method = "PUT" if "put" in name else "PATCH" if "patch" in name else "POST"
    return _respond(c, method)


@mock("fetch_webpage", topic="webpage web page website site html browse scrape crawl url", extra="fetch get read open "
      "visit load content text", anti="search status validate shorten", desc="fetch a web page and return its title "
      "and text content", params={"url": _URL, "format": "format output_format mode"}, required=("url",),
      example={"url": "https://example.com/blog/hello-world"}, summary="Fetch a web page")
def fetch_webpage(c: Call) -> dict[str, Any]:
    url, parts = check_url(c.need("url", limit=2000))
    words = [w for w in re.split(r"[/\-_.]+", parts.path) if w.isalpha()] or [parts.hostname.split(".")[0]]
    title = " ".join(words).title()[:80]
    text = (f"{title}\n\nThis page on {parts.hostname} discusses {title.lower()}. It includes an introduction, "
            f"several sections with details and examples, and links to related pages.")
    return {"url": url, "status": 200, "title": title, "content": text, "links": [
        f"https://{parts.hostname}/about", f"https://{parts.hostname}/contact"], "word_count": len(text.split())}


@mock("validate_url", topic="url link uri", extra="validate valid check parse verify is",
      anti="shorten fetch get open read download scrape visit",
      desc="check whether a URL is well formed", params={"url": _URL}, required=("url",),
      example={"url": "https://example.com/path?q=1"}, summary="Validate a URL")
def validate_url(c: Call) -> dict[str, Any]:
    raw = c.text("url", limit=2000)
    try:
        url, parts = check_url(raw)
    except MockError as exc:
        return {"url": raw, "valid": False, "reason": str(exc)}
    return {"url": url, "valid": True, "scheme": parts.scheme, "host": parts.hostname, "path": parts.path or "/",
            "query": dict(parse_qsl(parts.query)[:20])}


@mock("website_status", topic="website site server uptime ping", extra="status check up down online reachable",
      desc="check whether a website is up and its response time", params={"url": _URL + " domain host"},
      required=("url",), example={"url": "https://example.com"}, summary="Is a website up")
def website_status(c: Call) -> dict[str, Any]:
    url, parts = check_url(c.need("url", limit=2000))
    rand = Rand("uptime", parts.hostname)
    return {"url": url, "host": parts.hostname, "status": "up", "status_code": 200,
            "response_time_ms": rand.randint(30, 600), "checked_at": iso(NOW)}


@mock("dns_lookup", topic="dns domain nslookup dig resolve hostname", extra="lookup resolve record records",
      desc="resolve a domain name to IP addresses", params={"domain": "domain hostname host name url",
                                                            "type": "type record_type rtype"},
      required=("domain",), example={"domain": "example.org"}, summary="DNS lookup")
def dns_lookup(c: Call) -> dict[str, Any]:
    raw = c.need("domain", limit=300).lower()
    host = urlsplit(raw).hostname if "://" in raw else raw.split("/")[0]
    if not host or not _HOST.fullmatch(host) or "." not in host:
        raise MockError(f"invalid domain name '{clip(raw, 60)}'")
    rand = Rand("dns", host)
    kind = c.text("type", "A").upper()
    records = {"A": [f"{rand.randint(23, 199)}.{rand.randint(0, 255)}.{rand.randint(0, 255)}.{rand.randint(1, 254)}"],
               "AAAA": [f"2606:4700:{rand.hexstr(4)}::{rand.hexstr(4)}"], "MX": [f"10 mail.{host}"],
               "NS": [f"ns1.{host}", f"ns2.{host}"], "TXT": ["v=spf1 include:_spf.example.com ~all"],
               "CNAME": [f"www.{host}"]}
    if kind not in records:
        raise MockError(f"unsupported record type '{clip(kind, 10)}'")
    return {"domain": host, "type": kind, "records": records[kind], "ttl": 300}


@mock("ip_lookup", topic="ip ipaddress geolocation geoip", extra="lookup info locate location address whois",
      desc="location and network owner of an IP address", params={"ip": "ip ip_address address ipaddress host"},
      required=("ip",), example={"ip": "8.8.8.8"}, summary="IP geolocation")
def ip_lookup(c: Call) -> dict[str, Any]:
    raw = c.need("ip", limit=60)
    try:
        ip = ipaddress.ip_address(raw)
    except ValueError as exc:
        raise MockError(f"invalid IP address '{clip(raw, 40)}'") from exc
    if ip.is_private or ip.is_loopback:
        return {"ip": str(ip), "private": True, "note": "private or loopback address; no public location"}
    rand = Rand("ip", str(ip))
    city = rand.choice(sorted(CITIES.values(), key=lambda p: p.name))
    return {"ip": str(ip), "version": ip.version, "city": city.name, "country": city.country,
            "country_code": city.code, "latitude": city.lat, "longitude": city.lon, "timezone": city.tz,
            "isp": rand.choice(("Comcast", "Deutsche Telekom", "Orange", "NTT", "Cloudflare", "Google LLC"))}


@mock("shorten_url", topic="shorten shortener short shortlink bitly tinyurl", extra="url link create",
      desc="create a short link for a long URL", params={"url": _URL + " long_url"}, required=("url",),
      example={"url": "https://example.com/a/very/long/path"}, summary="Shorten a URL")
def shorten_url(c: Call) -> dict[str, Any]:
    url, _parts = check_url(c.need("url", limit=2000))
    code = Rand("short", url).code(7, "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    return {"long_url": url, "short_url": f"https://sho.rt/{code}", "code": code}
