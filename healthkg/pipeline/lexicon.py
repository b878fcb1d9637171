"""Word-lexicon features for character tokens: component "zh_word_features".

Tokens stay characters (so every gold span aligns), but each character also learns from the word
jieba's dictionary puts it in: LEMMA = that word (simplified script) and TAG = the character's
position in it (B, M, E or S). The NER's embedding reads them next to NORM and SHAPE, so names
built of dictionary words ("人民医院", "卫生局") share evidence across mentions.
"""
import logging

from spacy.language import Language
from spacy.tokens import Doc

try:
    from .script import to_simplified_aligned
except ImportError:  # imported on its own by `spacy package --code`
    from healthkg.pipeline.script import to_simplified_aligned

_TOKENIZER = None


def _jieba():
    global _TOKENIZER
    if _TOKENIZER is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        _TOKENIZER = jieba.Tokenizer()
    return _TOKENIZER


def word_positions(text: str):
    """For each character of `text`: (word, position tag) from jieba's segmentation (no HMM)."""
    out = [("", "S")] * len(text)
    offset = 0
    for word in _jieba().cut(text, HMM=False):
        n = len(word)
        for i in range(n):
            tag = "S" if n == 1 else ("B" if i == 0 else ("E" if i == n - 1 else "M"))
            out[offset + i] = (word if n > 1 else "", tag)
        offset += n
    return out


@Language.component("zh_word_features")
def set_word_features(doc: Doc) -> Doc:
    simplified = to_simplified_aligned(doc.text)
    positions = word_positions(simplified)
    for token in doc:
        word, tag = positions[token.idx]
        token.lemma_ = word or token.norm_
        token.tag_ = tag
    return doc
