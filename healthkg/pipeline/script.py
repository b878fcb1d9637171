"""Traditional/simplified script handling that never moves a character offset.

The pipeline keeps the text the user gave and normalises inside the model: every character gets
its simplified form as its NORM, one character for one character, so a traditional article and
its simplified form share features and the entities' offsets point into the user's own text.
"""
from functools import lru_cache

import opencc
from spacy.language import Language
from spacy.tokens import Doc

_T2S = opencc.OpenCC("t2s")
_S2T = opencc.OpenCC("s2t")


@lru_cache(maxsize=65536)
def simplified_char(char: str) -> str:
    """The simplified form of one character; the character itself when OpenCC maps it to more or less."""
    converted = _T2S.convert(char)
    return converted if len(converted) == 1 else char


def to_simplified_aligned(text: str) -> str:
    """`text` with each character replaced by its simplified form: same length, same offsets."""
    return "".join(simplified_char(c) for c in text)


def to_traditional(text: str) -> str:
    """OpenCC s2t with phrase context (used to test that traditional input gives the same entities)."""
    return _S2T.convert(text)


def traditional_ratio(text: str) -> float:
    """Share of CJK characters that OpenCC t2s would change: ~0 for simplified, well above 0.05 for traditional."""
    cjk = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not cjk:
        return 0.0
    changed = sum(1 for c in cjk if simplified_char(c) != c)
    return changed / len(cjk)


def detect_script(text: str, threshold: float = 0.03) -> str:
    """'traditional' or 'simplified', by `traditional_ratio`."""
    return "traditional" if traditional_ratio(text) >= threshold else "simplified"


@Language.component("zh_simplified_norms")
def set_simplified_norms(doc: Doc) -> Doc:
    """Set each token's NORM to its simplified form, so traditional text looks simplified to the model."""
    for token in doc:
        simplified = to_simplified_aligned(token.text)
        if simplified != token.text:
            token.norm_ = simplified
    return doc
