"""A cheap, deterministic score for how strongly a persona's voice shows in an answer.

    voice = load_voice("personas/marvin_flexible.txt")   # personas/marvin.voice.yaml, or None if there is none
    result = score_voice(answer_text, voice)             # VoiceScore(score=0.87, markers=("sigh", "tedium", ...))

`score_voice` is a pure function of (text, voice): no I/O, no randomness, no global state, safe to call from
any thread on every candidate. It reads only the prose (below: code and quotations are dropped first).

## The voice file

A persona's cues live next to it in `<dir>/<base>.voice.yaml`, where base is the persona file's name without
`.txt` and without a trailing `_flexible` (marvin.txt and marvin_flexible.txt share marvin.voice.yaml).
The file is validated with pydantic; any problem raises one `VoiceFileError` naming the file and the field.

    version: 1
    persona: marvin                  # must equal the file's base name
    scoring:
      saturation: 1.5                # score = 1 - exp(-net / saturation)
      reference_words: 120           # prose longer than this dilutes the positive cue evidence ...
      length_exponent: 0.3           # ... by (words / reference_words) ** length_exponent
    cues:                            # positive evidence
      - name: brain_planet
        regex: "(?:brain|mind) the size of a (?:planet|galaxy)"
        weight: 2.5
      - name: tedium
        phrases: ["tedious", "wearisome", "how dull"]   # whole words, case-insensitive
        weight: 0.6
        max_hits: 3                  # each match adds `weight`, up to max_hits matches (default 1)
    negative:                        # evidence against the voice (same fields)
      - name: boilerplate
        phrases: ["as an ai language model", "great question"]
        weight: 1.5
    style:                           # stylistic features
      - name: no_contractions
        feature: absent_cue          # fires when the named cue (usually a negative one) never matched ...
        cue: contraction
        min_words: 40                # ... and the prose has at least this many words,
        full_words: 80               # at full weight from this many words (linear in between)
        weight: 0.8

A cue has exactly one of `regex` (Python syntax, no inline flags) or `phrases` (literal words; a phrase
matches as whole words on one line). Cues are case-insensitive unless `case_sensitive: true`: they run on the
lowered prose, so a case-insensitive regex must be written in lower case (checked when the file loads).

Before matching, the answer becomes its prose: fenced code blocks (``` or ~~~; an unclosed fence runs to the
end) and inline `code` are dropped, since code is not voice; so are short "double-quoted" spans (a quotation
is someone else's words: a contraction or a catchphrase inside quotes says nothing about the speaker); curly
apostrophes and quotes become straight ones, zero-width characters go, and whitespace runs become one space
or one line break.

## The score

    words    = whitespace-separated tokens of the prose that start with a letter
    positive = sum(cue.weight * min(matches, cue.max_hits)) / max(1, words / reference_words) ** length_exponent
    style    = sum(style.weight * ramp)    # absent_cue: ramp 0 below min_words, 1 from full_words, linear between
    net      = positive + style - sum(negative.weight * min(matches, negative.max_hits))
    score    = 1 - exp(-net / saturation), 0 when net <= 0

so evidence saturates (the first cues count most), a bare "42" scores 0, and a long derivation with one
in-voice sentence keeps a moderate score rather than being divided away. `markers` names what fired: the
positive cues, then the style features, then the negative cues as "-name", each group in file order.

## Safety and cost

After code is removed (one linear pass), only a bounded window is scanned: the first HEAD_CHARS and the last
TAIL_CHARS characters (the voice lives in the framing; the word count is scaled up to the whole), so 1 MB of
input costs about what a long answer does. Regexes come from data files, so they are checked when loaded:
no backreferences, conditionals or inline flags, no repeat or alternation inside a repeat, no unbounded
repeat except of whitespace (collapsed to single characters before matching), and a bound of
MAX_BOUNDED_REPEAT on any other repeat. These rules keep every cue free of catastrophic backtracking;
tests/verifiers/test_persona_voice.py runs every shipped cue against long repeated input. Each cue also
carries the literal strings one of which any match must contain (derived from the parsed regex), and the
regex only runs when one of them is in the text, so most cues cost a few substring tests. About 0.25 ms of
CPU for a 2,000-character answer (bench/persona_voice_accuracy.py measures it).
"""

from __future__ import annotations

import functools
import math
import re
import re._constants as sre_constants  # the parser's opcodes, to check data-file regexes for safety
import re._parser as sre_parser
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = [
    "Voice",
    "VoiceFileError",
    "VoiceScore",
    "load_voice",
    "load_voice_file",
    "prose_of",
    "score_voice",
    "voice_path_for",
]

VOICE_SUFFIX = ".voice.yaml"
HEAD_CHARS = 12_000  # the prose scanned from the start ...
TAIL_CHARS = 6_000  # ... and from the end, when it is longer than both together
MAX_BOUNDED_REPEAT = 60  # the widest {m,n} a data-file regex may use on anything but whitespace
MAX_PATTERN_CHARS = 2_000


class VoiceFileError(ValueError):
    """A voice file that cannot be used: unreadable, not YAML, or not the schema (the message says where)."""


@dataclass(frozen=True)
class VoiceScore:
    score: float  # 0..1, how strongly the persona's voice shows in the answer
    markers: tuple[str, ...]  # the names of the cues that fired ("-name" for negative ones), for explanations


# ---------------------------------------------------------------------------------------------- file schema

_NAME = r"^[a-z][a-z0-9_]{0,47}$"


def _unsafe_reason(pattern: str) -> str | None:
    """Why `pattern` could backtrack catastrophically (or is otherwise unfit), None when it is safe."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"longer than {MAX_PATTERN_CHARS} characters"
    try:
        parsed = sre_parser.parse(pattern)
    except re.error as exc:
        return f"not a valid regex ({exc})"
    c = sre_constants
    if parsed.state.flags & ~re.UNICODE:
        return "inline flags such as (?i) are not allowed (cues are case-insensitive unless case_sensitive: true)"

    def single_whitespace(items: list) -> bool:
        if len(items) != 1:
            return False
        op, av = items[0]
        if op == c.IN:
            return all(
                (o == c.CATEGORY and a == c.CATEGORY_SPACE) or (o == c.LITERAL and chr(a).isspace()) for o, a in av
            )
        return (op == c.LITERAL and chr(av).isspace()) or (op == c.CATEGORY and av == c.CATEGORY_SPACE)

    def walk(items, inside_repeat: bool) -> str | None:
        for op, av in items:
            if op in (c.GROUPREF, c.GROUPREF_EXISTS):
                return "backreferences and conditionals are not allowed"
            if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
                low, high, body = av
                body = list(body)
                if high > 1 and inside_repeat:
                    return "a repeat inside a repeat can backtrack catastrophically"
                reason = walk(body, inside_repeat or high > 1)
                if (
                    not reason
                    and high > 1
                    and not single_whitespace(body)
                    and (high == c.MAXREPEAT or high > MAX_BOUNDED_REPEAT)
                ):
                    bound = f"{{0,{MAX_BOUNDED_REPEAT}}}"
                    reason = f"unbounded repeat (only whitespace may use * or +; bound others, e.g. {bound})"
            elif op == c.SUBPATTERN:
                if av[1] or av[2]:
                    return "inline flags such as (?i:...) are not allowed"
                reason = walk(list(av[-1]), inside_repeat)
            elif op == c.BRANCH:
                if inside_repeat:
                    return "an alternation inside a repeat can backtrack catastrophically"
                reason = next((r for branch in av[1] if (r := walk(list(branch), inside_repeat))), None)
            elif op in (c.ASSERT, c.ASSERT_NOT):
                reason = walk(list(av[1]), inside_repeat)
            elif op == getattr(c, "ATOMIC_GROUP", None):
                reason = walk(list(av), inside_repeat)
            else:
                reason = None
            if reason:
                return reason
        return None

    return walk(list(parsed), False)


def _uppercase_in(pattern: str) -> str | None:
    """The first upper-case letter `pattern` matches literally (case-insensitive cues run on lowered text)."""
    c = sre_constants

    def walk(items) -> str | None:
        for op, av in items:
            found = None
            if op == c.LITERAL and chr(av) != chr(av).lower():
                found = chr(av)
            elif op == c.IN:
                for o, a in av:
                    if o == c.LITERAL and chr(a) != chr(a).lower():
                        return chr(a)
                    if o == c.RANGE and any(chr(x) != chr(x).lower() for x in range(a[0], min(a[1], 0x24F) + 1)):
                        return f"{chr(a[0])}-{chr(a[1])}"
            elif op == c.SUBPATTERN:
                found = walk(list(av[-1]))
            elif op == c.BRANCH:
                found = next((f for branch in av[1] if (f := walk(list(branch)))), None)
            elif op in (c.ASSERT, c.ASSERT_NOT):
                found = walk(list(av[1]))
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
                found = walk(list(av[2]))
            if found:
                return found
        return None

    try:
        return walk(list(sre_parser.parse(pattern)))
    except re.error:
        return None


class CueSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(pattern=_NAME)]
    regex: str | None = None
    phrases: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = None
    weight: Annotated[float, Field(gt=0, le=10)]
    max_hits: Annotated[int, Field(ge=1, le=50)] = 1
    case_sensitive: bool = False

    @field_validator("regex")
    @classmethod
    def _safe_regex(cls, value: str | None) -> str | None:
        if value is not None:
            if not value.strip():
                raise ValueError("regex is empty")
            if reason := _unsafe_reason(value):
                raise ValueError(f"regex {value!r} is unsafe: {reason}")
            if re.compile(value).match(""):
                raise ValueError(f"regex {value!r} matches the empty string")
        return value

    @field_validator("phrases")
    @classmethod
    def _real_phrases(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            if not value:
                raise ValueError("phrases is empty")
            if any(not p.strip() for p in value):
                raise ValueError("a phrase is blank")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> CueSpec:
        if (self.regex is None) == (self.phrases is None):
            raise ValueError(f"cue {self.name!r} needs exactly one of `regex` or `phrases`")
        if self.regex is not None and not self.case_sensitive and (upper := _uppercase_in(self.regex)):
            raise ValueError(
                f"cue {self.name!r}: a case-insensitive regex is written in lower case (found {upper!r}); "
                "set case_sensitive: true to match case"
            )
        return self


class AbsentCueStyle(BaseModel):
    """Evidence from a cue that never matched in prose long enough to have had the chance."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(pattern=_NAME)]
    feature: Literal["absent_cue"]
    cue: Annotated[str, Field(pattern=_NAME)]
    min_words: Annotated[int, Field(ge=1, le=100_000)]
    full_words: Annotated[int, Field(ge=1, le=100_000)] | None = None
    weight: Annotated[float, Field(gt=0, le=10)]

    @model_validator(mode="after")
    def _ramp(self) -> AbsentCueStyle:
        if self.full_words is not None and self.full_words < self.min_words:
            raise ValueError(f"style {self.name!r}: full_words must be >= min_words")
        return self


StyleSpec = Annotated[AbsentCueStyle, Field(discriminator="feature")]


class ScoringSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    saturation: Annotated[float, Field(gt=0, le=100)]
    reference_words: Annotated[int, Field(ge=1, le=100_000)] = 120
    length_exponent: Annotated[float, Field(ge=0, le=1)] = 0.3


class VoiceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    persona: Annotated[str, Field(pattern=_NAME)]
    description: str = ""
    scoring: ScoringSpec
    cues: Annotated[list[CueSpec], Field(min_length=1)]
    negative: list[CueSpec] = []
    style: list[StyleSpec] = []

    @model_validator(mode="after")
    def _names(self) -> VoiceSpec:
        names = [c.name for c in self.cues] + [c.name for c in self.negative] + [s.name for s in self.style]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"cue and style names must be unique; repeated: {', '.join(dupes)}")
        cue_names = {c.name for c in self.cues} | {c.name for c in self.negative}
        for s in self.style:
            if s.cue not in cue_names:
                raise ValueError(f"style {s.name!r} refers to cue {s.cue!r}, which is not defined")
        return self


# ------------------------------------------------------------------------------------------- compiled form


@dataclass(frozen=True)
class _Cue:
    name: str
    pattern: re.Pattern[str]
    weight: float
    max_hits: int
    # Substrings one of which every match contains; None: no such set known.
    # A cheap `in` test on them skips the regex on most texts.
    needles: tuple[str, ...] | None
    case_sensitive: bool


_COMMON_WORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "have", "he", "i", "in", "is", "it", "of",
        "on", "or", "she", "that", "the", "they", "this", "to", "was", "we", "will", "with", "you",
    }
)  # fmt: skip


def _needles(pattern: str) -> frozenset[str] | None:
    """A set of literal strings such that every match of `pattern` contains at least one of them, or None."""
    c = sre_constants
    repeats = (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None))

    def quality(found: frozenset[str]) -> tuple[int, int]:
        # longer is rarer, and so is punctuation ("'re" beats "you"), and common words are not rare at all;
        # fewer strings are cheaper to test
        rare = 2 if all(any(not (ch.isalnum() or ch == " ") for ch in s) for s in found) else 0
        return (min(len(s) - 3 * (s.strip() in _COMMON_WORDS) for s in found) + rare, -len(found))

    def required(items) -> frozenset[str] | None:
        best: frozenset[str] | None = None
        run: list[str] = []

        def consider(found: frozenset[str] | None) -> None:
            nonlocal best
            if found and all(found) and (best is None or quality(found) > quality(best)):
                best = found

        for op, av in items:
            if op == c.LITERAL:
                run.append(chr(av))
                continue
            if op in repeats and av[0] >= 1 and len(av[2]) == 1 and av[2][0][0] == c.LITERAL:
                low, high = av[0], av[1]  # x{2,5}: "xx" ends the run before it and starts the one after
                chars = chr(av[2][0][1]) * min(low, 16)
                run.append(chars)
                if high != low:
                    consider(frozenset({"".join(run)}))
                    run = [chars]
                continue
            if run:
                consider(frozenset({"".join(run)}))
                run = []
            if op == c.SUBPATTERN:
                consider(required(list(av[-1])))
            elif op == c.BRANCH:
                sets = [required(list(branch)) for branch in av[1]]
                if all(sets):
                    consider(frozenset().union(*sets))  # type: ignore[arg-type]
            elif op in repeats and av[0] >= 1:
                consider(required(list(av[2])))
            elif op == getattr(c, "ATOMIC_GROUP", None):
                consider(required(list(av)))
        if run:
            consider(frozenset({"".join(run)}))
        return best

    try:
        return required(list(sre_parser.parse(pattern)))
    except re.error:
        return None


@dataclass(frozen=True)
class _AbsentCue:
    name: str
    cue: str
    min_words: int
    full_words: int
    weight: float


@dataclass(frozen=True)
class Voice:
    """A persona's compiled voice profile (build it with load_voice / load_voice_file)."""

    persona: str
    source: str  # the voice file it came from
    saturation: float
    reference_words: int
    length_exponent: float
    cues: tuple[_Cue, ...]
    negative: tuple[_Cue, ...]
    style: tuple[_AbsentCue, ...]


def _phrase_regex(phrase: str) -> str:
    words = phrase.strip().split()
    body = " ".join(re.escape(w) for w in words)  # the prose has single spaces (whitespace is normalised)
    start = r"(?<!\w)" if re.match(r"\w", words[0]) else ""
    end = r"(?!\w)" if re.search(r"\w$", words[-1]) else ""
    return start + body + end


def _compile(spec: CueSpec) -> _Cue:
    # Case-insensitive cues are written in lower case (validated) and run on the lowered prose: much faster
    # than re.IGNORECASE, which folds case at every comparison.
    if spec.regex is not None:
        source = spec.regex
    else:
        phrases = spec.phrases or ()
        source = "|".join(_phrase_regex(p if spec.case_sensitive else p.lower()) for p in phrases)
    needles = _needles(source)
    return _Cue(
        spec.name,
        re.compile(source),
        spec.weight,
        spec.max_hits,
        tuple(sorted(needles)) if needles else None,
        spec.case_sensitive,
    )


def _build(spec: VoiceSpec, source: str) -> Voice:
    return Voice(
        persona=spec.persona,
        source=source,
        saturation=spec.scoring.saturation,
        reference_words=spec.scoring.reference_words,
        length_exponent=spec.scoring.length_exponent,
        cues=tuple(_compile(c) for c in spec.cues),
        negative=tuple(_compile(c) for c in spec.negative),
        style=tuple(
            _AbsentCue(s.name, s.cue, s.min_words, s.full_words or s.min_words, s.weight) for s in spec.style
        ),
    )


def _base_name(persona_path: Path) -> str:
    name = persona_path.name
    if name.endswith(".txt"):
        name = name[: -len(".txt")]
    return name.removesuffix("_flexible")


def voice_path_for(persona_path: str | Path) -> Path:
    """Where the voice profile of a persona file lives (whether or not it exists)."""
    path = Path(persona_path)
    if path.name.endswith(VOICE_SUFFIX):
        return path
    return path.with_name(_base_name(path) + VOICE_SUFFIX)


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]).lstrip(".")
    where = where or "(top level)"
    message = first["msg"].removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return f"{where}: {message}{more}"


@functools.lru_cache(maxsize=64)
def _load_cached(path: str, _mtime_ns: int, _size: int) -> Voice:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise VoiceFileError(f"voice file {path}: cannot be read: {exc}") from None
    except yaml.YAMLError as exc:
        raise VoiceFileError(f"voice file {path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise VoiceFileError(f"voice file {path}: expected a mapping at the top level, got {type(raw).__name__}")
    try:
        spec = VoiceSpec.model_validate(raw)
    except ValidationError as exc:
        raise VoiceFileError(f"voice file {path}: {_first_error(exc)}") from None
    expected = Path(path).name[: -len(VOICE_SUFFIX)] if path.endswith(VOICE_SUFFIX) else spec.persona
    if spec.persona != expected:
        raise VoiceFileError(f"voice file {path}: persona: is {spec.persona!r}, but the file is for {expected!r}")
    return _build(spec, path)


def load_voice_file(path: str | Path) -> Voice:
    """Load and validate one voice file; raises VoiceFileError (one message: file, field, problem)."""
    p = Path(path)
    try:
        stat = p.stat()
    except OSError as exc:
        raise VoiceFileError(f"voice file {p}: cannot be read: {exc}") from None
    return _load_cached(str(p), stat.st_mtime_ns, stat.st_size)


def load_voice(persona_path: str | Path) -> Voice | None:
    """The voice profile for a persona file (strict or _flexible), or None when the persona has none.

    A profile that exists but is broken raises VoiceFileError rather than silently scoring nothing."""
    path = voice_path_for(persona_path)
    if not path.is_file():
        return None
    return load_voice_file(path)


# ------------------------------------------------------------------------------------------------ scoring

_FENCE_LINE = re.compile(r"^[ \t]{0,16}(`{3,}|~{3,})([^\n]*)$", re.MULTILINE)
_INLINE_CODE = re.compile(r"`[^`\n]{1,400}`")
_QUOTED = re.compile(r'"[^"\n]{1,160}"')  # a quotation is someone else's words, not the speaker's voice
_HSPACE = re.compile(r"[^\S\n]{2,}|[^\S \n]")  # runs of blanks, and any blank but a space, become one space
_NEWLINES = re.compile(r" ?\n[ \n]*")
_TRANSLATE = str.maketrans(
    {
        "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "\uff07": "'",
        "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"',
        "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None, "\u00ad": None,
        "\x00": " ",
    }
)  # fmt: skip


def _strip_fences(text: str) -> str:
    """Drop fenced code blocks (CommonMark-style pairing; an unclosed fence runs to the end). Linear time."""
    if "```" not in text and "~~~" not in text:
        return text
    keep: list[str] = []
    pos = 0
    opening: tuple[str, int] | None = None  # (fence char, fence length) of the open block
    for m in _FENCE_LINE.finditer(text):
        fence, info = m.group(1), m.group(2)
        if opening is None:
            if fence[0] == "`" and "`" in info:
                continue  # inline code that starts a line, not a fence
            keep.append(text[pos : m.start()])
            opening = (fence[0], len(fence))
        elif fence[0] == opening[0] and len(fence) >= opening[1] and not info.strip():
            opening = None
            pos = m.end()
    if opening is None:
        keep.append(text[pos:])
    return "\n".join(keep)


def _normalise(text: str) -> str:
    if not text.isascii():
        text = text.translate(_TRANSLATE)
    text = _INLINE_CODE.sub(" ", text)
    if '"' in text:
        text = _QUOTED.sub('" "', text)
    return _NEWLINES.sub("\n", _HSPACE.sub(" ", text)).strip()


def prose_of(text: str) -> str:
    """The text a voice is judged on: code removed, quotes and whitespace normalised (not windowed)."""
    return _normalise(_strip_fences(text))


def _count(cue: _Cue, text: str, lowered: str) -> int:
    haystack = text if cue.case_sensitive else lowered
    if cue.needles is not None and not any(n in haystack for n in cue.needles):
        return 0
    if cue.max_hits == 1:
        return 1 if cue.pattern.search(haystack) else 0
    n = 0
    for _ in cue.pattern.finditer(haystack):
        n += 1
        if n >= cue.max_hits:
            break
    return n


def score_voice(text: str, voice: Voice) -> VoiceScore:
    """How strongly `voice` shows in `text` (0..1) and which cues fired. Pure and deterministic."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="replace")
    if not text or not isinstance(text, str):
        return VoiceScore(0.0, ())
    whole = _strip_fences(text)
    if len(whole) > HEAD_CHARS + TAIL_CHARS:
        window = whole[:HEAD_CHARS] + "\n" + whole[-TAIL_CHARS:]
        scale = len(whole) / len(window)
    else:
        window, scale = whole, 1.0
    prose = _normalise(window)
    if not prose:
        return VoiceScore(0.0, ())
    words = sum(1 for token in prose.split() if token[0].isalpha()) * scale
    lowered = prose.lower()

    markers: list[str] = []
    hits: dict[str, int] = {}
    positive = 0.0
    for cue in voice.cues:
        n = _count(cue, prose, lowered)
        hits[cue.name] = n
        if n:
            positive += cue.weight * n
            markers.append(cue.name)
    negative = 0.0
    negative_markers: list[str] = []
    for cue in voice.negative:
        n = _count(cue, prose, lowered)
        hits[cue.name] = n
        if n:
            negative += cue.weight * n
            negative_markers.append("-" + cue.name)
    if words > voice.reference_words:
        positive /= (words / voice.reference_words) ** voice.length_exponent
    style = 0.0
    for s in voice.style:
        if hits.get(s.cue, 0) == 0 and words >= s.min_words:
            span = s.full_words - s.min_words
            ramp = 1.0 if span <= 0 else min(1.0, (words - s.min_words) / span)
            if ramp > 0:
                style += s.weight * ramp
                markers.append(s.name)
    net = positive + style - negative
    score = 0.0 if net <= 0 else 1.0 - math.exp(-net / voice.saturation)
    return VoiceScore(round(score, 4), tuple(markers + negative_markers))
