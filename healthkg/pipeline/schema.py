"""The annotation schema: 11 entity labels and 7 relation types with their argument types.

Fixed by the annotation guideline (corpus/annotation_guidelines.md); do not add or rename labels.
"""

ENTITY_LABELS = (
    "PERSON", "TITLE", "COMPANY", "HOSPITAL", "GOV", "ORG",
    "LOC", "DATE", "MONEY", "PERCENT", "DOCUMENT",
)

# "org" in the guideline: the four organisation labels.
ORG_LABELS = frozenset({"COMPANY", "HOSPITAL", "GOV", "ORG"})

RELATION_TYPES = (
    "PARTNER_OF", "INVESTS_IN", "SUBSIDIARY_OF", "WORKS_FOR",
    "HOLDS_TITLE", "LOCATED_IN", "ALIAS_OF",
)

# relation type -> (allowed head labels, allowed tail labels)
RELATION_ARGUMENTS = {
    "PARTNER_OF": (ORG_LABELS, ORG_LABELS),
    "INVESTS_IN": (ORG_LABELS, ORG_LABELS),
    "SUBSIDIARY_OF": (ORG_LABELS, ORG_LABELS),
    "WORKS_FOR": (frozenset({"PERSON"}), ORG_LABELS),
    "HOLDS_TITLE": (frozenset({"PERSON"}), frozenset({"TITLE"})),
    "LOCATED_IN": (ORG_LABELS, frozenset({"LOC"})),
    # A short name and its full name share a label, so ALIAS_OF takes any two entities of one label.
    "ALIAS_OF": (frozenset(ENTITY_LABELS), frozenset(ENTITY_LABELS)),
}

SYMMETRIC_RELATIONS = frozenset({"PARTNER_OF"})


def relation_allowed(relation: str, head_label: str, tail_label: str) -> bool:
    """True when the schema allows `relation` from a `head_label` entity to a `tail_label` one."""
    if relation not in RELATION_ARGUMENTS:
        return False
    heads, tails = RELATION_ARGUMENTS[relation]
    if head_label not in heads or tail_label not in tails:
        return False
    if relation == "ALIAS_OF" and head_label != tail_label:
        return False
    return True


def allowed_relations(head_label: str, tail_label: str) -> list:
    """The relation types the schema allows from `head_label` to `tail_label`, in schema order."""
    return [r for r in RELATION_TYPES if relation_allowed(r, head_label, tail_label)]
