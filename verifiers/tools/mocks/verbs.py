"""Action verbs in tool names: a tool that acts (cancel_order, hotel.book) is not answered by a lookup.

A mock serves a tool whose name starts with an action verb only when the mock's extra words hold
that verb or a word of the same kind: `cancel_order` is not served by the order tracker (which
would answer "out for delivery"), `book_hotel` is not served by the hotel search. A verb that is
itself the mock's topic is a noun there ("book_search", "order_status"), so it passes.

Only the name's first word, and the first word of its last dotted segment (orders.cancel), count
as its verb, since many action words double as nouns ("place_details", "post_office"); a few verbs
that are never nouns in tool names (cancel, delete, create...) count wherever they stand
(order_cancel, github__create_issue).
"""

from __future__ import annotations

import re
from functools import lru_cache

from verifiers.tools.mocks.util import stem, tokens

# Words of one kind, each group led by its verb: a mock with any word of the group led by a verb performs
# that verb; a verb that leads no group is performed by a mock with a word of any group that holds it.
_GROUPS = (
    "cancel cancellation void abort revoke refund unsubscribe terminate",
    "delete remove erase drop clear empty unlink rm del discard purge wipe unset forget destroy trash",
    "create add new insert make register post submit save write compose draft place generate put open",
    "add append insert plus put",
    "update edit modify change set patch adjust configure toggle enable disable turn switch mark complete control "
    "dim rename overwrite",
    "send post share forward reply notify publish broadcast tweet email message",
    "book booking reserve reservation rent rental hire schedule order",
    "buy purchase order checkout pay payment place",
    "pay payment transfer send wire deposit withdraw charge donate remit",
    "schedule book create add set plan",
    "start begin launch play resume",
    "stop pause halt kill end cancel terminate",
    "upload write save put",
    "write save put create overwrite append",
    "save write put create add set remember",
    "set update change adjust configure put save turn enable control create add start schedule",
    "move rename copy transfer",
    "lock unlock",
    "complete finish done mark close",
)


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in text.split())


# Verbs that make a tool an action when they open its name.
_LEADING = _stems(
    "cancel void revoke refund unsubscribe terminate delete remove erase drop clear empty unlink discard purge wipe "
    "destroy trash create add insert make register post submit save write compose draft place update edit modify "
    "change set patch adjust configure toggle enable disable turn switch mark complete dim rename send share forward "
    "reply notify publish broadcast tweet book reserve rent hire schedule order buy purchase checkout pay transfer "
    "wire deposit withdraw charge donate start begin launch play resume stop pause halt kill upload append move copy "
    "lock unlock finish invite subscribe follow unfollow approve reject assign archive block unblock restore install "
    "uninstall deploy restart reboot shutdown apply renew upgrade downgrade login logout signup enroll confirm accept "
    "decline sell trade vote reset")
# Verbs that make a tool an action wherever they stand in its name.
_ANYWHERE = _stems(
    "cancel delete remove create send buy purchase upload submit insert erase register subscribe unsubscribe "
    "refund revoke rename publish withdraw")
# Leading words that are not the verb: namespaces and filler ("api_create_user", "do_cancel").
_SKIP = frozenset({"api", "v1", "v2", "v3", "do", "tool", "tools", "my", "mcp", "fn", "func", "please"})


def _build() -> dict[str, frozenset[str]]:
    led: dict[str, set[str]] = {}
    holding: dict[str, set[str]] = {}
    for group in _GROUPS:
        members = [stem(w) for w in group.split()]
        led.setdefault(members[0], set()).update(members)
        for word in members:
            holding.setdefault(word, set()).update(members)
    return {w: frozenset(led.get(w) or holding.get(w, set()) | {w}) for w in _LEADING | _ANYWHERE}


_KIND = _build()


@lru_cache(maxsize=4096)
def action_verbs(name: str) -> frozenset[str]:
    """The action verbs of a tool name: its leading verb and any never-a-noun verb."""
    found: set[str] = set()
    segments = [seg for seg in (tokens(part) for part in re.split(r"[./:]+", name[:200])) if seg]
    for seg in segments[:1] + segments[-1:]:
        head = next((w for w in seg if w not in _SKIP), None)
        if head in _LEADING:
            found.add(head)
    found.update(w for seg in segments for w in seg if w in _ANYWHERE)
    return frozenset(found)


def performs(topic: frozenset[str], extra: frozenset[str], vocabulary: frozenset[str], verbs: frozenset[str],
             name: frozenset[str]) -> bool:
    """Whether a mock performs every one of the action verbs of a tool name (`name`: its words).

    Its extra words must hold the verb or one of its kind. Or its topic holds the verb itself, which
    is then a noun ("order" in order_status, "book" in book_search) provided the mock's vocabulary
    explains the rest of the name: "order" in order_pizza is still a verb the order history lacks.
    A topic word of the verb's kind is not enough: "rental" does not make the car search rent cars.
    """
    return all(_KIND[v] & extra or v in topic and name - {v} <= vocabulary for v in verbs)
