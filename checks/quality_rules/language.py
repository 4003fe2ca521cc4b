"""Mixed languages: is a text in the language the config expects? Offline heuristics.

Two cheap signals, no model:
- script: the share of letters in the expected language's script (Cyrillic for
  Russian, Han for Chinese, ...); below half, the text is in another script;
- stopwords, for languages sharing the Latin script: the language whose most
  common function words a text uses most, when it clearly beats the expected one.
Texts with fewer than 20 letters are not judged: too short to tell; stopwords
are counted in the first 2,000 characters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_SCRIPTS: Mapping[str, re.Pattern[str]] = {
    "latin": re.compile(r"[A-Za-z\u00c0-\u024f]"),
    "cyrillic": re.compile(r"[\u0400-\u04ff]"),
    "greek": re.compile(r"[\u0370-\u03ff]"),
    "arabic": re.compile(r"[\u0600-\u06ff\u0750-\u077f]"),
    "hebrew": re.compile(r"[\u0590-\u05ff]"),
    "devanagari": re.compile(r"[\u0900-\u097f]"),
    "thai": re.compile(r"[\u0e00-\u0e7f]"),
    "hangul": re.compile(r"[\uac00-\ud7af\u1100-\u11ff]"),
    "cjk": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\u3400-\u4dbf]"),
}
SCRIPT_OF: Mapping[str, str] = {
    **{code: "latin" for code in ("en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "no", "pl", "cs", "tr", "id", "vi")},
    **{code: "cyrillic" for code in ("ru", "uk", "bg", "sr", "kk")},
    "el": "greek",
    "ar": "arabic",
    "fa": "arabic",
    "ur": "arabic",
    "he": "hebrew",
    "hi": "devanagari",
    "mr": "devanagari",
    "th": "thai",
    "ko": "hangul",
    "zh": "cjk",
    "ja": "cjk",
}
_STOPWORDS: Mapping[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of to is in that it for was with as on are be this have not by you at from or",
        "de": "der die das und ist nicht ein eine zu den mit sich des auf für im dem auch es wird sind von",
        "fr": "le la les et est une des du pour dans qui que pas sur avec ce il elle sont au aux",
        "es": "el la los las y es una del para con por que se no su al como más pero lo",
        "it": "il lo la gli le e è una del della per con che non sono di al anche come più",
        "pt": "o os a as e é um uma do da dos das para com que não se no na por mais",
        "nl": "de het een en is van niet dat op te met voor zijn ook aan bij er maar",
    }.items()
}
_WORD = re.compile(r"[a-zà-öø-ÿ]+")
_MIN_LETTERS = 20
_MAX_CHARS = 2000


def detected_language(text: str, expected: str) -> str | None:
    """The language or script ``text`` is in when it is not ``expected``; None when it fits or cannot be told."""
    script = SCRIPT_OF.get(expected, "latin")
    if text.isascii():
        # Every letter of ASCII text is Latin: no per-script count needed.
        if script != "latin":
            return "latin" if sum(map(str.isalpha, text)) >= _MIN_LETTERS else None
        if len(text) < _MIN_LETTERS:
            return None
    else:
        letters = {name: len(p.findall(text)) for name, p in _SCRIPTS.items()}
        total = sum(letters.values())
        if total < _MIN_LETTERS:
            return None
        if letters.get(script, 0) < 0.5 * total:
            return max(letters, key=lambda k: letters[k])
    if script != "latin" or expected not in _STOPWORDS:
        return None
    # The first words decide: enough to tell a language, and long texts stay cheap.
    words = _WORD.findall(text[:_MAX_CHARS].lower())
    own = sum(map(_STOPWORDS[expected].__contains__, words))
    if own >= 0.15 * len(words):  # function words are a quarter or more of running text in its own language
        return None
    scores = {lang: sum(map(stop.__contains__, words)) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    if best != expected and scores[best] >= 3 and scores[best] >= 2 * scores[expected]:
        return best
    return None
