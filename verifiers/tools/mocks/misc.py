"""Odds and ends: random values (seeded by the arguments), UUIDs, passwords, hashes, QR/barcodes, jokes, quotes."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import uuid
from typing import Any

from verifiers.tools.mocks.registry import Call, Mock, collector
from verifiers.tools.mocks.util import MockError, clip

MOCKS: list[Mock] = []
mock = collector("misc", MOCKS, "util utils utility tools")

_DATA = "data text content value input string message payload url"


@mock("random_number", topic="random rand rng", extra="number integer int generate pick", anti="uuid password string",
      desc="random integer between a minimum and a maximum",
      params={"min": "min minimum low lower start from min_value", "max": "max maximum high upper end to max_value",
              "count": "count n quantity how_many num"}, example={"min": 1, "max": 100}, summary="Random number")
def random_number(c: Call) -> dict[str, Any]:
    lo, hi = c.num("min", 1.0), c.num("max", 100.0)
    lo, hi = int(lo if lo is not None else 1), int(hi if hi is not None else 100)
    if lo > hi:
        raise MockError(f"{c.arg('min')} must not be greater than {c.arg('max')}")
    if hi - lo > 10**18:
        raise MockError("range too large")
    values = [c.rand.randint(lo, hi) for _ in range(c.integer("count", 1, 1, 1000))]
    return {"min": lo, "max": hi, "result": values[0] if len(values) == 1 else values}


@mock("generate_uuid", topic="uuid guid", extra="generate create new random id", desc="generate a UUID v4",
      params={"count": "count n quantity num"}, example={}, summary="Generate UUIDs")
def gen_uuid(c: Call) -> dict[str, Any]:
    count = c.integer("count", 1, 1, 100)
    ids = [str(uuid.UUID(bytes=bytes.fromhex(c.rand.hexstr(32)), version=4)) for _ in range(count)]
    return {"uuid": ids[0]} if len(ids) == 1 else {"uuids": ids}


@mock("generate_password", topic="password passphrase passcode", extra="generate create random strong new",
      anti="reset hash check", desc="generate a strong random password",
      params={"length": "length len size n chars", "symbols": "symbols include_symbols special special_characters "
              "use_symbols", "numbers": "numbers digits include_numbers"},
      example={"length": 16, "include_symbols": True}, summary="Generate a password")
def password(c: Call) -> dict[str, Any]:
    length = c.integer("length", 16, 4, 128)
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
    alphabet += "23456789" if c.flag("numbers", True) else ""
    alphabet += "!@#$%^&*-_=+?" if c.flag("symbols", True) else ""
    value = c.rand.code(length, alphabet)
    return {"password": value, "length": length, "strength": "strong" if length >= 12 else "medium"}


@mock("hash_text", topic="hash hashing digest checksum md5 sha sha1 sha256 sha512", extra="compute generate calculate",
      desc="cryptographic hash of a text with md5 sha1 sha256 or sha512",
      params={"text": _DATA, "algorithm": "algorithm algo hash_type type method function"}, required=("text",),
      example={"text": "hello", "algorithm": "sha256"}, summary="Hash a text")
def hash_text(c: Call) -> dict[str, Any]:
    text = c.need("text", limit=1_000_000)
    algo = c.text("algorithm", "sha256").lower().replace("-", "")
    if algo not in ("md5", "sha1", "sha224", "sha256", "sha384", "sha512", "blake2b", "blake2s", "sha3_256"):
        raise MockError(f"unsupported hash algorithm '{clip(algo, 20)}'")
    return {"algorithm": algo, "hash": hashlib.new(algo, text.encode("utf-8")).hexdigest(),
            "input_length": len(text)}


@mock("qr_code", topic="qr qrcode", extra="generate create code make",
      desc="generate a QR code image for a text or URL",
      params={"data": _DATA, "size": "size width dimension"}, required=("data",),
      example={"data": "https://example.com"}, summary="Generate a QR code")
def qr_code(c: Call) -> dict[str, Any]:
    data = c.need("data", limit=2953)
    size = c.integer("size", 256, 64, 2048)
    fake = base64.b64encode(hashlib.sha256(data.encode("utf-8")).digest() * 2).decode("ascii")
    return {"data": data, "format": "png", "size": size, "image_base64": f"data:image/png;base64,{fake}",
            "url": f"https://qr.example.com/{hashlib.sha256(data.encode('utf-8')).hexdigest()[:16]}.png"}


@mock("barcode", topic="barcode ean upc", extra="generate create lookup scan", desc="generate a barcode for a number",
      params={"data": _DATA + " code number", "format": "format type symbology"}, required=("data",),
      example={"data": "123456789012", "format": "ean13"}, summary="Generate a barcode")
def barcode(c: Call) -> dict[str, Any]:
    data = c.need("data", limit=80)
    fmt = c.text("format", "code128").lower().replace("-", "")
    if fmt in ("ean13", "ean") and not re.fullmatch(r"\d{12,13}", data):
        raise MockError("EAN-13 needs 12 or 13 digits")
    if fmt in ("ean13", "ean"):
        digits = [int(d) for d in data[:12]]
        check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
        data = data[:12] + str(check)
    fake = base64.b64encode(hashlib.sha256(data.encode("utf-8")).digest()).decode("ascii")
    return {"data": data, "format": fmt, "image_base64": f"data:image/png;base64,{fake}"}


_JOKES = ("Why do programmers prefer dark mode? Because light attracts bugs.",
          "I told my computer I needed a break, and it said: 'No problem, I'll go to sleep.'",
          "Why did the scarecrow win an award? He was outstanding in his field.",
          "What do you call a fake noodle? An impasta.",
          "Why don't skeletons fight each other? They don't have the guts.",
          "How does a penguin build its house? Igloos it together.")
_QUOTES = (("The only way to do great work is to love what you do.", "Steve Jobs"),
           ("In the middle of difficulty lies opportunity.", "Albert Einstein"),
           ("It always seems impossible until it's done.", "Nelson Mandela"),
           ("Simplicity is the ultimate sophistication.", "Leonardo da Vinci"),
           ("Well done is better than well said.", "Benjamin Franklin"))


@mock("joke", topic="joke jokes pun humor humour funny", extra="tell get random", desc="tell a random joke",
      params={"category": "category type topic"}, example={"category": "programming"}, summary="Tell a joke")
def joke(c: Call) -> dict[str, Any]:
    return {"joke": c.rand.choice(_JOKES), "category": c.text("category", "general", 40)}


@mock("quote", topic="quote quotes quotation inspiration inspirational motivational",
      extra="get random daily day today",
      anti="stock price", desc="an inspirational quote", params={"topic": "topic category author"}, example={},
      summary="Inspirational quote")
def quote(c: Call) -> dict[str, Any]:
    text, author = c.rand.choice(_QUOTES)
    return {"quote": text, "author": author}


@mock("coin_flip", topic="coin flip toss heads tails", extra="flip toss", desc="flip a coin",
      params={"count": "count times n flips"}, example={}, summary="Flip a coin")
def coin_flip(c: Call) -> dict[str, Any]:
    flips = [c.rand.choice(("heads", "tails")) for _ in range(c.integer("count", 1, 1, 1000))]
    return {"result": flips[0]} if len(flips) == 1 else {"results": flips, "heads": flips.count("heads")}


@mock("dice_roll", topic="dice die roll d20 d6", extra="roll throw", desc="roll dice with a number of sides",
      params={"sides": "sides faces die_type d", "count": "count number dice num_dice n rolls"},
      example={"sides": 20, "count": 2}, summary="Roll dice")
def dice(c: Call) -> dict[str, Any]:
    sides, count = c.integer("sides", 6, 2, 1000), c.integer("count", 1, 1, 100)
    rolls = [c.rand.randint(1, sides) for _ in range(count)]
    return {"sides": sides, "rolls": rolls, "total": sum(rolls)}


@mock("base64_codec", topic="base64 b64 encode decode encoding decoding",
      extra="encode decode convert codec encoder decoder",
      desc="encode or decode base64 text", params={"text": _DATA, "action": "action operation mode direction"},
      required=("text",), example={"text": "hello world", "action": "encode"}, summary="Base64 encode or decode")
def b64(c: Call) -> dict[str, Any]:
    text = c.need("text", limit=1_000_000)
    decode = "decode" in (c.text("action") + " " + c.tool).lower()
    if not decode:
        return {"action": "encode", "result": base64.b64encode(text.encode("utf-8")).decode("ascii")}
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return {"action": "decode", "result": raw.decode("utf-8")}
    except (binascii.Error, ValueError) as exc:
        raise MockError("input is not valid base64 or not UTF-8 text") from exc


@mock("color_convert", topic="color colour hex rgb hsl", extra="convert conversion code", desc="convert colors "
      "between hex and rgb", params={"color": "color colour value hex rgb input code"}, required=("color",),
      example={"color": "#ff8800"}, summary="Convert a color")
def color(c: Call) -> dict[str, Any]:
    raw = c.need("color", limit=40).strip().lower()
    named = {"red": "#ff0000", "green": "#008000", "blue": "#0000ff", "white": "#ffffff", "black": "#000000",
             "orange": "#ffa500", "purple": "#800080", "yellow": "#ffff00"}
    raw = named.get(raw, raw)
    nums = re.findall(r"\d{1,3}", raw)
    if re.fullmatch(r"#?[0-9a-f]{6}", raw):
        r, g, b = (int(raw.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    elif raw.startswith("rgb") or len(nums) == 3:
        if len(nums) < 3:
            raise MockError(f"could not read the color '{raw}'")
        r, g, b = (int(n) for n in nums[:3])
        if max(r, g, b) > 255:
            raise MockError(f"rgb components must be 0 to 255 in '{raw}'")
    else:
        raise MockError(f"could not read the color '{raw}'")
    return {"hex": f"#{r:02x}{g:02x}{b:02x}", "rgb": [r, g, b], "rgb_string": f"rgb({r}, {g}, {b})"}
