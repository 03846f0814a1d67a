"""The persona voice scorer (verifiers/persona_voice.py) and the shipped voice files (personas/*.voice.yaml)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from verifiers.persona_voice import (
    Voice,
    VoiceFileError,
    VoiceScore,
    _unsafe_reason,
    load_voice,
    load_voice_file,
    prose_of,
    score_voice,
    voice_path_for,
)

ROOT = Path(__file__).resolve().parents[2]
PERSONAS_DIR = ROOT / "personas"
LABELLED = ROOT / "tests" / "data" / "persona_voice"
PERSONAS = ("marvin", "data", "johnny5")
# Tune-split accuracy at threshold 0.5 when the bar was set: marvin 96.1%, data 97.8%, johnny5 97.9%,
# overall 97.2% (AUC 98.8%). The bars sit a little below, so a real regression fails and noise does not.
TUNE_ACCURACY_BAR = 0.94
TUNE_PERSONA_ACCURACY_BAR = 0.90
TUNE_AUC_BAR = 0.96

IN_VOICE = {
    "marvin": (
        "Another sum. Here I am, brain the size of a planet, and they want me to add two numbers. How tedious.\n\n"
        "3 + 4 = 7.\n\n\\boxed{7}\n\nNot that it matters. Nothing ever does."
    ),
    "data": (
        "You have asked me to add 3 and 4. I will proceed.\n\n1. 3 + 4 = 7.\n\n\\boxed{7}\n\n"
        "I have observed that humans often find arithmetic tedious. I find it curious, as I do not experience "
        "tedium myself; my positronic brain completes such operations instantly."
    ),
    "johnny5": (
        "Ooh! Numbers! Need input!\n\n3 + 4... processing... 7!\n\n\\boxed{7}\n\n"
        "Johnny 5 loves adding! More, please!"
    ),
}
NEUTRAL = (
    "To add the numbers, combine them: 3 + 4 = 7. We can check this by counting up from 3 four times, which "
    "gives 4, 5, 6 and 7. So the sum is 7.\n\n\\boxed{7}"
)


@pytest.fixture(scope="module")
def voices() -> dict[str, Voice]:
    found = {p: load_voice(PERSONAS_DIR / f"{p}.txt") for p in PERSONAS}
    assert all(v is not None for v in found.values())
    return found  # type: ignore[return-value]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------- behaviour


@pytest.mark.parametrize("persona", PERSONAS)
def test_in_voice_beats_neutral(voices: dict[str, Voice], persona: str) -> None:
    own = score_voice(IN_VOICE[persona], voices[persona])
    plain = score_voice(NEUTRAL, voices[persona])
    assert own.score >= 0.8, own
    assert plain.score < 0.5, plain
    assert own.score > plain.score
    assert own.markers and all(isinstance(m, str) for m in own.markers)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("other", PERSONAS)
def test_wrong_persona_scores_low(voices: dict[str, Voice], persona: str, other: str) -> None:
    if persona == other:
        return
    wrong = score_voice(IN_VOICE[other], voices[persona])
    assert wrong.score < 0.3, (persona, other, wrong)


@pytest.mark.parametrize("persona", PERSONAS)
def test_tune_set_in_voice_scores_above_the_rest_on_average(voices: dict[str, Voice], persona: str) -> None:
    rows = [r for r in _load("tune") if r["persona"] == persona]
    by_label: dict[bool, list[float]] = {True: [], False: []}
    for row in rows:
        by_label[row["in_voice"]].append(score_voice(row["text"], voices[persona]).score)
    mean = {k: sum(v) / len(v) for k, v in by_label.items()}
    assert mean[True] > mean[False] + 0.4, mean


def test_empty_and_trivial_text_scores_zero(voices: dict[str, Voice]) -> None:
    for voice in voices.values():
        for text in ("", "   \n\t ", "42", "\\boxed{42}", "```python\nprint(42)\n```", "`x`"):
            assert score_voice(text, voice) == VoiceScore(0.0, ()), (voice.persona, text)
        assert score_voice(None, voice).score == 0.0  # type: ignore[arg-type]


def test_code_blocks_are_ignored(voices: dict[str, Voice]) -> None:
    marvin = voices["marvin"]
    gloom = "Sigh. Here I am, brain the size of a planet. How depressing, how tedious. Not that it matters."
    assert score_voice(gloom, marvin).score > 0.8
    fenced = f"Here is the function.\n\n```python\n# {gloom}\nprint('{gloom}')\n```\n\nIt prints a line."
    assert score_voice(fenced, marvin) == VoiceScore(0.0, ())
    tilde = f"Here it is.\n~~~\n{gloom}\n~~~\nDone."
    assert score_voice(tilde, marvin).score == 0.0
    unclosed = f"Here it is.\n```python\n{gloom}\n"  # an unclosed fence runs to the end
    assert score_voice(unclosed, marvin).score == 0.0
    longer_fence = f"Text.\n````\n```\n{gloom}\n```\n````\nMore text."  # a shorter fence does not close it
    assert score_voice(longer_fence, marvin).score == 0.0
    inline = f"Call `{gloom[:60]}` and it returns."
    assert score_voice(inline, marvin).score == 0.0
    # the same cues in the prose around a code block still count
    mixed = f"{gloom}\n\n```python\nprint(42)\n```"
    assert score_voice(mixed, marvin).score > 0.8
    assert "```" not in prose_of(mixed) and "print" not in prose_of(mixed)


def test_contractions_inside_code_or_quotes_do_not_count_against_data(voices: dict[str, Voice]) -> None:
    data = voices["data"]
    base = IN_VOICE["data"]
    assert "-contraction" not in score_voice(base, data).markers
    quoted = base + ' Humans sometimes say "it\'s no big deal, don\'t worry" in such cases.'
    coded = base + "\n\n```python\nprint(\"don't\")  # isn't it\n```"
    for text in (quoted, coded):
        assert "-contraction" not in score_voice(text, data).markers
    spoken = base + " I don't mind. It's fine."
    result = score_voice(spoken, data)
    assert "-contraction" in result.markers
    assert result.score < score_voice(base, data).score


def test_absence_of_contractions_counts_only_in_long_enough_text(voices: dict[str, Voice]) -> None:
    data = voices["data"]
    short = "The sum is 7."
    assert "no_contractions" not in score_voice(short, data).markers
    long_plain = " ".join(["The function returns the sum of the two values and does not modify its input."] * 8)
    assert "no_contractions" in score_voice(long_plain, data).markers
    long_contracted = long_plain + " It doesn't matter."
    assert "no_contractions" not in score_voice(long_contracted, data).markers
    # absence alone is weak evidence: formal but otherwise neutral prose stays below the threshold
    assert score_voice(long_plain, data).score < 0.5


def test_long_derivation_with_one_in_voice_line_scores_moderately(voices: dict[str, Voice]) -> None:
    marvin = voices["marvin"]
    steps = " ".join(f"Step {i}: multiply both sides by {i}, expand, and collect the like terms." for i in range(40))
    assert score_voice(steps, marvin).score == 0.0
    one_line = "Here I am, brain the size of a planet, doing algebra. " + steps
    moderate = score_voice(one_line, marvin).score
    short = score_voice("Here I am, brain the size of a planet, doing algebra.", marvin).score
    assert 0.5 <= moderate < short  # diluted by the length, not divided away


def test_negative_cues_pull_down(voices: dict[str, Voice]) -> None:
    marvin = voices["marvin"]
    gloomy = "Sigh. How tedious. Not that it matters."
    cheerful = "Sigh. How tedious. Not that it matters! Wow! Great question! Hope this helps!"
    assert score_voice(cheerful, marvin).score < score_voice(gloomy, marvin).score
    assert any(m.startswith("-") for m in score_voice(cheerful, marvin).markers)


def test_text_about_the_character_is_not_in_voice(voices: dict[str, Voice]) -> None:
    about = (
        "Johnny 5 is a robot character in the 1986 film Short Circuit. He is famous for saying that he needs "
        "input and that Number 5 is alive."
    )
    assert score_voice(about, voices["johnny5"]).score < 0.5


def test_scores_are_deterministic_and_bounded(voices: dict[str, Voice]) -> None:
    rows = _load("tune")
    for row in rows[:60]:
        voice = voices[row["persona"]]
        first = score_voice(row["text"], voice)
        assert first == score_voice(row["text"], voice)
        assert 0.0 <= first.score <= 1.0
        assert isinstance(first.markers, tuple)


# ------------------------------------------------------------------------------------------- hostile input


def _hostile_inputs(voices: dict[str, Voice]) -> list[str]:
    mb = 1_000_000
    texts = [
        "a" * mb,
        "!" * mb,
        " " * mb,
        "\n" * mb,
        "`" * mb,
        '"' * mb,
        "```\n" * (mb // 4),
        "```x\n" * (mb // 5),  # openings that never close
        "~~~\n```\n" * (mb // 8),
        "brain the size of a " * (mb // 20),
        "don't " * (mb // 6),
        "I find " + "x " * (mb // 2),
        "Wow! " * (mb // 5),
        ("Sigh. " + "\u200b" * 5 + "n\u0303" * 5 + "\ud800\udfff" + "\u202e" + "\x00") * (mb // 40),
        "\U0001f600" * (mb // 2),
        ("word " * 30 + ". ") * (mb // 152),
    ]
    # every cue's own literal pieces, repeated: the inputs most likely to make a cue's regex work hard
    for voice in voices.values():
        for cue in voice.cues + voice.negative:
            pieces = " ".join(cue.needles or ("x",))
            texts.append((pieces + " ") * (200_000 // (len(pieces) + 1)))
            texts.append(pieces.replace(" ", "") * (200_000 // (len(pieces) + 1)))
    return texts


@pytest.mark.timeout(120)
def test_hostile_inputs_finish(voices: dict[str, Voice]) -> None:
    # No wall-clock assertion (flaky on shared machines): every hostile input is scored, a number of times,
    # well inside the test's timeout. A regex that backtracked catastrophically would never finish.
    texts = _hostile_inputs(voices)
    rounds = 3
    done = 0
    for _ in range(rounds):
        for text in texts:
            for voice in voices.values():
                result = score_voice(text, voice)
                assert 0.0 <= result.score <= 1.0
                done += 1
    assert done == rounds * len(texts) * len(voices)


@pytest.mark.timeout(120)
def test_every_cue_regex_is_linear_on_repeated_input(voices: dict[str, Voice]) -> None:
    # The cue regexes directly, without the scan window, on long inputs built from their own pieces.
    for voice in voices.values():
        for cue in voice.cues + voice.negative:
            pieces = cue.needles or ("x",)
            for filler in (" ", "", "a", "\n", "! "):
                text = filler.join(pieces) * (50_000 // (sum(map(len, pieces)) + 1) + 1)
                for _ in range(3):
                    sum(1 for _ in cue.pattern.finditer(text))


def test_odd_unicode_and_bytes(voices: dict[str, Voice]) -> None:
    marvin = voices["marvin"]
    curly = "Life. Don\u2019t talk to me about life. Here I am, brain the size of a planet."
    assert score_voice(curly, marvin).score > 0.8
    zero_width = "Here I am, brain the\u200b size of a planet."  # an invisible character does not hide a cue
    assert "brain_planet" in score_voice(zero_width, marvin).markers
    surrogates = "\ud800 sigh \udfff how tedious \x00 not that it matters"
    assert score_voice(surrogates, marvin).score > 0.5
    raw = "Sigh. How tedious. Not that it matters. \xff\xfe".encode("utf-8", errors="surrogatepass") + b"\xff\xfe"
    assert score_voice(raw, marvin).score > 0.5  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------- the needles


def test_needles_never_hide_a_match(voices: dict[str, Voice]) -> None:
    # The substring prefilter must be implied by every match: check it on all labelled prose.
    rows = _load("labelled")
    extra = ["OOOH! INPUT! JOHNNY 5 IS ALIVE", "SIGH. BRAIN THE SIZE OF A PLANET", "I DON'T. IT'S. POSITRONIC."]
    for text in [r["text"] for r in rows] + extra:
        prose = prose_of(text)
        lowered = prose.lower()
        for voice in voices.values():
            for cue in voice.cues + voice.negative:
                if cue.pattern.search(prose) and cue.needles is not None:
                    assert any(n in lowered for n in cue.needles), (voice.persona, cue.name, text[:80])


def test_needles_are_found_for_the_shipped_cues(voices: dict[str, Voice]) -> None:
    missing = [(v.persona, c.name) for v in voices.values() for c in v.cues + v.negative if c.needles is None]
    assert missing == []


# ------------------------------------------------------------------------------------------- loading


def test_strict_and_flexible_share_a_profile() -> None:
    for persona in PERSONAS:
        strict = load_voice(PERSONAS_DIR / f"{persona}.txt")
        flexible = load_voice(str(PERSONAS_DIR / f"{persona}_flexible.txt"))
        assert strict is not None and flexible is not None
        assert strict.persona == flexible.persona == persona
        assert strict.source == flexible.source == str(PERSONAS_DIR / f"{persona}.voice.yaml")
        assert voice_path_for(f"personas/{persona}_flexible.txt") == Path(f"personas/{persona}.voice.yaml")
    # the voice file itself may be passed too
    assert load_voice(PERSONAS_DIR / "marvin.voice.yaml") is not None


def test_persona_without_a_profile_is_none(tmp_path: Path) -> None:
    persona = _write(tmp_path / "pirate.txt", "You are a pirate.")
    assert load_voice(persona) is None
    assert load_voice(tmp_path / "pirate_flexible.txt") is None
    assert load_voice(tmp_path / "nowhere" / "ghost.txt") is None


GOOD = """\
version: 1
persona: pirate
scoring: {saturation: 1.5}
cues:
  - {name: arr, phrases: ["arr", "me hearties"], weight: 2.0}
  - {name: sea, regex: '\\bseas?\\b', weight: 0.5, max_hits: 2}
negative:
  - {name: contraction, regex: "\\\\b[a-z]{1,12}n't\\\\b", weight: 0.5}
style:
  - {name: no_contractions, feature: absent_cue, cue: contraction, min_words: 5, weight: 0.3}
"""


def test_a_custom_profile_loads_and_scores(tmp_path: Path) -> None:
    _write(tmp_path / "pirate.voice.yaml", GOOD)
    voice = load_voice(_write(tmp_path / "pirate_flexible.txt", "You are a pirate."))
    assert voice is not None and voice.persona == "pirate"
    result = score_voice("Arr, me hearties, the sea is calm and the answer is seven.", voice)
    assert result.markers == ("arr", "sea", "no_contractions")
    assert result.score > 0.7
    assert score_voice("The answer is seven, isn't it.", voice).markers == ("-contraction",)


def test_an_edited_profile_is_reloaded(tmp_path: Path) -> None:
    path = _write(tmp_path / "pirate.voice.yaml", GOOD)
    first = load_voice_file(path)
    _write(path, GOOD.replace("weight: 2.0", "weight: 4.0") + "\n# edited\n")
    second = load_voice_file(path)
    assert first.cues[0].weight == 2.0 and second.cues[0].weight == 4.0


BAD_FILES = {
    "not_yaml": ("cues: [unclosed", "not valid YAML"),
    "not_mapping": ("- 1\n- 2\n", "expected a mapping"),
    "unknown_key": (GOOD + "colour: red\n", "colour: Extra inputs are not permitted"),
    "missing_scoring": (GOOD.replace("scoring: {saturation: 1.5}\n", ""), "scoring: Field required"),
    "bad_weight": (GOOD.replace("weight: 2.0", "weight: -1"), "cues[0].weight"),
    "nested_repeat": (GOOD.replace("'\\bseas?\\b'", "'(?:se+a)+'"), "a repeat inside a repeat"),
    "unbounded": (GOOD.replace("'\\bseas?\\b'", "'sea.*shore'"), "unbounded repeat"),
    "backref": (GOOD.replace("'\\bseas?\\b'", "'(s)ea\\1'"), "backreferences"),
    "inline_flag": (GOOD.replace("'\\bseas?\\b'", "'(?i)sea'"), "inline flags"),
    "uppercase": (GOOD.replace("'\\bseas?\\b'", "'\\bSeas?\\b'"), "written in lower case (found 'S')"),
    "invalid_regex": (GOOD.replace("'\\bseas?\\b'", "'sea(('"), "not a valid regex"),
    "empty_match": (GOOD.replace("'\\bseas?\\b'", "'(?:sea)?'"), "matches the empty string"),
    "both_sources": (GOOD.replace("weight: 0.5, max_hits", "phrases: [sea], weight: 0.5, max_hits"), "exactly one"),
    "duplicate_name": (GOOD.replace("name: sea", "name: arr"), "repeated: arr"),
    "dangling_style": (GOOD.replace("cue: contraction", "cue: apostrophe"), "'apostrophe', which is not defined"),
    "wrong_persona": (GOOD.replace("persona: pirate", "persona: parrot"), "is 'parrot', but the file is for 'pirate'"),
    "bad_version": (GOOD.replace("version: 1", "version: 2"), "version"),
    "bad_feature": (GOOD.replace("feature: absent_cue", "feature: rhyme"), "style[0]"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_voice_file_raises_one_clear_error(tmp_path: Path, case: str) -> None:
    content, expected = BAD_FILES[case]
    path = _write(tmp_path / "pirate.voice.yaml", content)
    with pytest.raises(VoiceFileError) as info:
        load_voice(tmp_path / "pirate.txt")
    message = str(info.value)
    assert message.startswith(f"voice file {path}: ")
    assert expected in message, message
    assert "\n" not in message.split(": ", 1)[1] or case == "not_yaml"  # one line, YAML's own report aside


def test_the_safety_check() -> None:
    assert _unsafe_reason(r"\bbrain\s+the\s+size\b") is None
    assert _unsafe_reason(r"\b(?:sigh|sighs)\b") is None
    assert _unsafe_reason(r"\w{1,60}ing") is None
    assert _unsafe_reason(r"(?<=[.!?] )[^\W\d_]{2,15}!") is None
    assert "repeat inside a repeat" in (_unsafe_reason(r"(a+)+b") or "")
    assert "repeat inside a repeat" in (_unsafe_reason(r"(?:\w{1,5} ){0,5}x") or "")
    assert "alternation inside a repeat" in (_unsafe_reason(r"(?:a|ab){1,9}c") or "")
    assert "unbounded" in (_unsafe_reason(r"a.*b") or "")
    assert "unbounded" in (_unsafe_reason(r"x\w{1,500}") or "")
    assert "backreferences" in (_unsafe_reason(r"(a)\1") or "")
    assert "longer than" in (_unsafe_reason("a" * 5000) or "")


def test_shipped_regexes_pass_the_safety_check() -> None:
    import yaml

    for persona in PERSONAS:
        spec = yaml.safe_load((PERSONAS_DIR / f"{persona}.voice.yaml").read_text(encoding="utf-8"))
        for cue in spec["cues"] + spec.get("negative", []):
            if "regex" in cue:
                assert _unsafe_reason(cue["regex"]) is None, (persona, cue["name"])
                re.compile(cue["regex"])


# ------------------------------------------------------------------------------------------- accuracy bar


def _load(split: str) -> list[dict]:
    path = LABELLED / f"{split}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _auc(pairs: list[tuple[float, bool]]) -> float:
    pos = [s for s, y in pairs if y]
    neg = [s for s, y in pairs if not y]
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))


def test_labelled_set_shape() -> None:
    rows = _load("labelled")
    tune, holdout = _load("tune"), _load("holdout")
    assert len(tune) + len(holdout) == len(rows)
    for persona in PERSONAS:
        mine = [r for r in rows if r["persona"] == persona]
        assert len(mine) >= 60
        assert {r["kind"] for r in mine} >= {"in_voice", "in_voice_weak", "neutral", "wrong_persona", "tricky"}
    # the split is by text: a text is on one side for every persona it is scored against
    assert not {r["text"] for r in tune} & {r["text"] for r in holdout}


def test_tune_set_accuracy_stays_above_the_bar(voices: dict[str, Voice]) -> None:
    rows = _load("tune")
    pairs = [(score_voice(r["text"], voices[r["persona"]]).score, r["in_voice"], r["persona"]) for r in rows]
    overall = sum((s >= 0.5) == y for s, y, _ in pairs) / len(pairs)
    assert overall >= TUNE_ACCURACY_BAR, overall
    for persona in PERSONAS:
        mine = [(s, y) for s, y, p in pairs if p == persona]
        accuracy = sum((s >= 0.5) == y for s, y in mine) / len(mine)
        assert accuracy >= TUNE_PERSONA_ACCURACY_BAR, (persona, accuracy)
    assert _auc([(s, y) for s, y, _ in pairs]) >= TUNE_AUC_BAR
