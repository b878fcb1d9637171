"""Label types of the doccano project: the schema's labels with fixed colours and shortcut keys,
so every annotator sees the same colours and uses the same keys across projects and pushes."""
from typing import List

from ..pipeline.schema import ENTITY_LABELS, RELATION_TYPES

# label -> (background colour, shortcut key); dark enough for doccano's white label text;
# keys are mnemonic where the letter is free
ENTITY_STYLE = {
    "PERSON": ("#1f77b4", "p"),
    "TITLE": ("#4a6fa5", "t"),
    "COMPANY": ("#e6550d", "c"),
    "HOSPITAL": ("#d62728", "h"),
    "GOV": ("#756bb1", "g"),
    "ORG": ("#8c564b", "o"),
    "LOC": ("#2ca02c", "l"),
    "DATE": ("#17869e", "d"),
    "MONEY": ("#8c8c00", "m"),
    "PERCENT": ("#7f7f7f", "r"),
    "DOCUMENT": ("#c2185b", "b"),  # b: book title marks 《》
}
RELATION_STYLE = {
    "PARTNER_OF": ("#b03a2e", "1"),
    "INVESTS_IN": ("#ca6f1e", "2"),
    "SUBSIDIARY_OF": ("#7d3c98", "3"),
    "WORKS_FOR": ("#1e8449", "4"),
    "HOLDS_TITLE": ("#2874a6", "5"),
    "LOCATED_IN": ("#6e2c00", "6"),
    "ALIAS_OF": ("#ad1457", "7"),
}
assert set(ENTITY_STYLE) == set(ENTITY_LABELS) and set(RELATION_STYLE) == set(RELATION_TYPES)
assert len({k for _, k in ENTITY_STYLE.values()} | {k for _, k in RELATION_STYLE.values()}) == 18


def label_spec() -> dict:
    """What the client side creates: {"span": [...], "relation": [...]} in schema order."""
    def types(labels, style) -> List[dict]:
        return [{"text": label, "color": style[label][0], "suffix_key": style[label][1]} for label in labels]
    return {"span": types(ENTITY_LABELS, ENTITY_STYLE), "relation": types(RELATION_TYPES, RELATION_STYLE)}
