"""Every registered mock, in a stable order (the order breaks ties last)."""

from __future__ import annotations

from verifiers.tools.mocks.account import MOCKS as _ACCOUNT
from verifiers.tools.mocks.comms import MOCKS as _COMMS
from verifiers.tools.mocks.data import MOCKS as _DATA
from verifiers.tools.mocks.files import MOCKS as _FILES
from verifiers.tools.mocks.finance import MOCKS as _FINANCE
from verifiers.tools.mocks.food import MOCKS as _FOOD
from verifiers.tools.mocks.geo import MOCKS as _GEO
from verifiers.tools.mocks.home import MOCKS as _HOME
from verifiers.tools.mocks.mathtools import MOCKS as _MATH
from verifiers.tools.mocks.media import MOCKS as _MEDIA
from verifiers.tools.mocks.misc import MOCKS as _MISC
from verifiers.tools.mocks.productivity import MOCKS as _PRODUCTIVITY
from verifiers.tools.mocks.registry import Mock
from verifiers.tools.mocks.schedule import MOCKS as _SCHEDULE
from verifiers.tools.mocks.search import MOCKS as _SEARCH
from verifiers.tools.mocks.shopping import MOCKS as _SHOPPING
from verifiers.tools.mocks.text import MOCKS as _TEXT
from verifiers.tools.mocks.timetools import MOCKS as _TIME
from verifiers.tools.mocks.travel import MOCKS as _TRAVEL
from verifiers.tools.mocks.units import MOCKS as _UNITS
from verifiers.tools.mocks.weather import MOCKS as _WEATHER
from verifiers.tools.mocks.web import MOCKS as _WEB

MOCKS: tuple[Mock, ...] = (*_WEATHER, *_FINANCE, *_MATH, *_UNITS, *_TIME, *_GEO, *_SEARCH, *_COMMS, *_SCHEDULE,
                           *_FILES, *_DATA, *_WEB, *_TEXT, *_PRODUCTIVITY, *_TRAVEL, *_SHOPPING, *_FOOD, *_MEDIA,
                           *_ACCOUNT, *_HOME, *_MISC)
BY_NAME: dict[str, Mock] = {m.name: m for m in MOCKS}
if len(BY_NAME) != len(MOCKS):
    raise RuntimeError("two mocks share a name")
