"""Text utilities: translation (pseudo), language detection, counts, summaries, sentiment, spelling, words."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from verifiers.tools.mocks.registry import Call, Mock, collector
from verifiers.tools.mocks.util import MockError, Rand, clip

MOCKS: list[Mock] = []
mock = collector("text", MOCKS, "text nlp language")

_TEXT = "text input content string document body message passage sentence q source_text data"
_LANGS = {"en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian", "pt": "Portuguese",
          "nl": "Dutch", "ja": "Japanese", "zh": "Chinese", "ko": "Korean", "ru": "Russian", "ar": "Arabic",
          "hi": "Hindi", "tr": "Turkish", "pl": "Polish", "sv": "Swedish"}
_NAMES = {v.lower(): k for k, v in _LANGS.items()} | {"chinese (simplified)": "zh", "mandarin": "zh"}
# A few everyday words, so short phrases come back really translated.
_WORDS = {
    "es": {"hello": "hola", "world": "mundo", "thank": "gracias", "you": "tú", "good": "bueno", "morning": "mañana",
           "yes": "sí", "no": "no", "cat": "gato", "dog": "perro", "house": "casa", "water": "agua", "friend": "amigo",
           "please": "por favor", "goodbye": "adiós", "the": "el", "and": "y", "is": "es", "love": "amor"},
    "fr": {"hello": "bonjour", "world": "monde", "thank": "merci", "you": "vous", "good": "bon", "morning": "matin",
           "yes": "oui", "no": "non", "cat": "chat", "dog": "chien", "house": "maison", "water": "eau",
           "friend": "ami", "please": "s'il vous plaît", "goodbye": "au revoir", "the": "le", "and": "et", "is": "est",
           "love": "amour"},
    "de": {"hello": "hallo", "world": "Welt", "thank": "danke", "you": "du", "good": "gut", "morning": "Morgen",
           "yes": "ja", "no": "nein", "cat": "Katze", "dog": "Hund", "house": "Haus", "water": "Wasser",
           "friend": "Freund", "please": "bitte", "goodbye": "auf Wiedersehen", "the": "der", "and": "und", "is": "ist",
           "love": "Liebe"},
    "it": {"hello": "ciao", "world": "mondo", "thank": "grazie", "good": "buono", "yes": "sì", "no": "no",
           "cat": "gatto", "dog": "cane", "house": "casa", "water": "acqua", "friend": "amico", "and": "e"},
}
_STOP = {"es": {"el", "la", "de", "que", "y", "en", "los", "es", "por", "un", "una", "con", "para"},
         "fr": {"le", "la", "les", "de", "et", "est", "un", "une", "que", "pour", "dans", "pas", "avec"},
         "de": {"der", "die", "das", "und", "ist", "nicht", "ein", "eine", "zu", "mit", "den", "ich", "sie"},
         "it": {"il", "di", "che", "e", "la", "un", "per", "non", "sono", "una", "con", "gli"},
         "pt": {"o", "a", "de", "que", "e", "do", "da", "em", "um", "para", "não", "uma", "os"},
         "nl": {"de", "het", "een", "en", "van", "ik", "te", "dat", "die", "niet", "is", "op"},
         "en": {"the", "and", "is", "of", "to", "in", "that", "it", "for", "you", "with", "this", "a", "are"}}
_SCRIPTS = (("ja", r"[\u3040-\u30ff]"), ("ko", r"[\uac00-\ud7af]"), ("zh", r"[\u4e00-\u9fff]"),
            ("ru", r"[\u0400-\u04ff]"), ("ar", r"[\u0600-\u06ff]"), ("hi", r"[\u0900-\u097f]"))


def _text(c: Call, limit: int = 100_000) -> str:
    return c.need("text", limit=limit)


def lang_code(raw: str) -> str:
    low = raw.strip().lower()
    code = _NAMES.get(low, low.split("-")[0].split("_")[0])
    if code not in _LANGS:
        raise MockError(f"unsupported language '{clip(raw, 30)}'")
    return code


def detect(text: str) -> tuple[str, float]:
    for code, pattern in _SCRIPTS:
        if re.search(pattern, text):
            return code, 0.97
    words = re.findall(r"[a-zà-ÿ']+", text.lower())
    if not words:
        return "en", 0.2
    scores = {code: sum(w in stop for w in words) for code, stop in _STOP.items()}
    best = max(sorted(scores), key=lambda k: scores[k])
    if scores[best] == 0:
        return "en", 0.4
    return best, round(min(0.99, 0.5 + scores[best] / len(words)), 2)


@mock("translate", topic="translate translation translator", extra="text language", desc="translate text into a "
      "target language", params={"text": _TEXT, "target": "target target_language target_lang to to_language "
      "dest destination_language lang language tgt output_language", "source": "source source_language source_lang "
      "from from_language src input_language"},
      required=("text", "target"), example={"text": "Hello world", "target_language": "es"}, summary="Translate text")
def translate(c: Call) -> dict[str, Any]:
    text = _text(c, 20_000)
    target = lang_code(c.need("target", limit=40))
    source = lang_code(c.text("source", limit=40)) if c.has("source") and c.text("source").lower() != "auto" \
        else detect(text)[0]
    table = _WORDS.get(target, {})
    if source == target:
        out = text
    elif table:
        def swap(m: re.Match[str]) -> str:
            word = m.group(0)
            hit = table.get(word.lower())
            return word if hit is None else hit.capitalize() if word[0].isupper() else hit
        out = re.sub(r"[A-Za-z]+", swap, text)
        if out == text:
            out = f"[{target}] {text}"
    else:
        out = f"[{target}] {text}"
    return {"translated_text": out, "source_language": source, "target_language": target,
            "target_language_name": _LANGS[target]}


@mock("detect_language", topic="language lang", extra="detect detection identify which what",
      anti="translate", desc="detect the language of a text", params={"text": _TEXT}, required=("text",),
      example={"text": "Le chat est sur la table"}, summary="Detect the language")
def detect_language(c: Call) -> dict[str, Any]:
    code, confidence = detect(_text(c))
    return {"language": code, "language_name": _LANGS[code], "confidence": confidence}


@mock("word_count", topic="word words character characters char count counter length", extra="count counter number how",
      anti="lookup define definition meaning synonym",
      desc="count words characters sentences of a text", params={"text": _TEXT}, required=("text",),
      example={"text": "One two three. Four five!"}, summary="Count words and characters")
def word_count(c: Call) -> dict[str, Any]:
    text = _text(c, 1_000_000)
    words = re.findall(r"\b\w+\b", text)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    return {"words": len(words), "characters": len(text), "characters_no_spaces": len(re.sub(r"\s", "", text)),
            "sentences": len(sentences), "paragraphs": len([p for p in text.split("\n\n") if p.strip()]),
            "reading_time_minutes": round(len(words) / 238, 1)}


@mock("summarize", topic="summarize summarise summary summarization tldr digest abstract",
      extra="text condense shorten",
      desc="summarize a text into a few sentences", params={"text": _TEXT + " url", "sentences": "sentences "
      "max_sentences num_sentences length max_length n"}, required=("text",),
      example={"text": "Cats sleep a lot. They also purr. Dogs bark."}, summary="Summarize a text")
def summarize(c: Call) -> dict[str, Any]:
    text = _text(c, 200_000)
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.strip()]
    # A length in characters or words is not a sentence count: such a tool gets the default two sentences.
    n = 2 if c.key("sentences") in ("max_length", "length") else c.integer("sentences", 2, 1, 20)
    summary = " ".join(sentences[:n])
    return {"summary": summary, "sentences_in": len(sentences), "sentences_out": min(n, len(sentences)),
            "compression": round(len(summary) / max(1, len(text)), 2)}


_POS = {"good", "great", "excellent", "love", "happy", "wonderful", "amazing", "fantastic", "best", "like", "nice",
        "awesome", "glad", "perfect", "enjoy", "enjoyed", "pleased", "brilliant", "recommend", "beautiful"}
_NEG = {"bad", "terrible", "awful", "hate", "sad", "worst", "poor", "horrible", "angry", "disappointed", "broken",
        "slow", "useless", "boring", "ugly", "annoying", "never", "refund", "problem", "fail", "failed"}


@mock("sentiment", topic="sentiment emotion opinion mood polarity tone", extra="analyze analysis classify detect",
      desc="sentiment analysis of a text positive negative neutral", params={"text": _TEXT}, required=("text",),
      example={"text": "I love this phone, the camera is amazing!"}, summary="Sentiment analysis")
def sentiment(c: Call) -> dict[str, Any]:
    words = re.findall(r"[a-z']+", _text(c).lower())
    pos, neg = sum(w in _POS for w in words), sum(w in _NEG for w in words)
    negated = sum(1 for a, b in zip(words, words[1:], strict=False) if a in ("not", "don't", "isn't") and b in _POS)
    pos, neg = pos - negated, neg + negated
    score = 0.0 if pos + neg == 0 else round((pos - neg) / (pos + neg), 3)
    label = "positive" if score > 0.2 else "negative" if score < -0.2 else "neutral"
    return {"sentiment": label, "score": score, "positive_words": pos, "negative_words": neg,
            "confidence": round(min(0.99, 0.5 + 0.1 * (pos + neg)), 2)}


_MISSPELLED = {"teh": "the", "recieve": "receive", "definately": "definitely", "seperate": "separate",
               "occured": "occurred", "untill": "until", "wich": "which", "accomodate": "accommodate",
               "adress": "address", "beleive": "believe", "calender": "calendar", "goverment": "government",
               "neccessary": "necessary", "occassion": "occasion", "tommorow": "tomorrow", "wierd": "weird",
               "thier": "their", "becuase": "because", "alot": "a lot", "begining": "beginning", "freind": "friend"}


@mock("spell_check", topic="spell spelling spellcheck typo typos proofread grammar", extra="check correct fix",
      desc="check spelling and suggest corrections", params={"text": _TEXT, "language": "language lang"},
      required=("text",), example={"text": "I recieve teh letter tommorow"}, summary="Spell check")
def spell_check(c: Call) -> dict[str, Any]:
    text = _text(c)
    errors = []

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        hit = _MISSPELLED.get(word.lower())
        if hit is None:
            return word
        errors.append({"word": word, "suggestion": hit, "offset": m.start()})
        return hit.capitalize() if word[0].isupper() else hit

    corrected = re.sub(r"[A-Za-z]+", fix, text)
    return {"corrected_text": corrected, "errors": errors[:200], "error_count": len(errors)}


@mock("extract_keywords", topic="keyword keywords keyphrase tag tags topic topics entity", extra="extract extraction "
      "find get", desc="extract the main keywords from a text", params={"text": _TEXT, "limit": "limit n top_k count "
      "max_keywords num_keywords"}, required=("text",), example={"text": "Solar panels convert sunlight; solar "
      "energy is renewable energy."}, summary="Extract keywords")
def keywords(c: Call) -> dict[str, Any]:
    words = [w for w in re.findall(r"[a-z][a-z'-]{2,}", _text(c).lower()) if w not in _STOP["en"]]
    counts = Counter(words)
    top = sorted(counts, key=lambda w: (-counts[w], w))[: c.integer("limit", 5, 1, 50)]
    return {"keywords": [{"keyword": w, "count": counts[w]} for w in top]}


_DEFINITIONS = {"serendipity": ("noun", "the occurrence of events by chance in a happy or beneficial way"),
                "ephemeral": ("adjective", "lasting for a very short time"),
                "algorithm": ("noun", "a set of rules to be followed in calculations or problem solving"),
                "ubiquitous": ("adjective", "present, appearing, or found everywhere")}


@mock("define_word", topic="dictionary define definition meaning word", extra="lookup get",
      desc="dictionary definition of a word", params={"word": "word term query q text entry"}, required=("word",),
      example={"word": "ephemeral"}, summary="Dictionary definition")
def define(c: Call) -> dict[str, Any]:
    word = c.need("word", limit=60).lower()
    if not re.fullmatch(r"[a-z][a-z' -]*", word):
        raise MockError(f"no definition found for '{clip(word, 40)}'")
    pos, meaning = _DEFINITIONS.get(word, (Rand("pos", word).choice(("noun", "verb", "adjective")),
                                           f"a word meaning something related to '{word}' (sample definition)"))
    return {"word": word, "definitions": [{"part_of_speech": pos, "definition": meaning}],
            "phonetic": f"/{word}/"}


_SYNONYMS = {"happy": ["glad", "joyful", "cheerful", "content"], "big": ["large", "huge", "enormous", "sizable"],
             "fast": ["quick", "rapid", "swift", "speedy"], "good": ["fine", "excellent", "decent", "great"],
             "smart": ["clever", "intelligent", "bright", "sharp"], "sad": ["unhappy", "sorrowful", "down", "gloomy"]}


@mock("synonyms", topic="synonym synonyms thesaurus antonym antonyms", extra="find get word similar",
      desc="synonyms of a word", params={"word": "word term query q text"}, required=("word",),
      example={"word": "happy"}, summary="Synonyms of a word")
def synonyms(c: Call) -> dict[str, Any]:
    word = c.need("word", limit=60).lower()
    return {"word": word, "synonyms": _SYNONYMS.get(word, [])}
