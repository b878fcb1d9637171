"""Rule entities: regexes, suffix rules, word lists and a gazetteer for the eleven labels.

`RuleEntityFinder` finds the entities; the "rule_entities" pipeline component puts them on the Doc
before the statistical "ner", which keeps them and predicts around them. The component's gazetteer
comes from the annotated names of the training articles only (`initialize`, patterns written by
`convert`) and is saved with the pipeline.

Matching is on the simplified form of every character (`to_simplified_aligned`, same length), so
traditional-script text works and every offset points into the text as written. Layers, in the
order their spans win when they overlap:
1. regexes with unambiguous delimiters: 《…》 DOCUMENT, DATE, MONEY, PERCENT;
2. longest match among: the gazetteer, suffix-built organisation and place names, the title and
   place lexicons (spaCy entity_ruler on NORM);
3. PERSON guesses next to titles, 先生/女士 and in name lists;
4. names found in 1-3 (and short forms after 简称) are matched again everywhere in the same text.
"""
import re
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import spacy
import srsly
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import ensure_path, filter_spans

try:
    from . import rule_lexicon as lex
    from .schema import ENTITY_LABELS, ORG_LABELS
    from .script import to_simplified_aligned
    from . import sentences  # noqa: F401  registers "zh_sentences"
except ImportError:  # imported on its own by `spacy package --code`
    from healthkg.pipeline import rule_lexicon as lex
    from healthkg.pipeline.schema import ENTITY_LABELS, ORG_LABELS
    from healthkg.pipeline.script import to_simplified_aligned
    from healthkg.pipeline import sentences  # noqa: F401

Span = Tuple[int, int, str]  # (start, end, label), character offsets

# --- regexes (on the simplified text) ------------------------------------------------------------

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_DATE = re.compile(
    r"(?<!\d)(?<!\d[.,])(?:"
    r"\d{4} ?年 ?(?:(?:1[0-2]|0?[1-9]) ?月 ?(?:(?:3[01]|[12]\d|0?[1-9]) ?[日号])?)?"
    r"|(?:1[0-2]|0?[1-9]) ?月 ?(?:(?:3[01]|[12]\d|0?[1-9]) ?[日号])?"
    r")(?![\d])"
)
_CURRENCY = r"(?:美元|美金|港元|港币|欧元|日元|英镑|元人民币|元|块)"
_MONEY = re.compile(
    rf"(?<!\d)(?<!\d[.,]){_NUM} ?(?:(?:万亿|千万|百万|万|亿) ?{_CURRENCY}?|{_CURRENCY})"
    rf"|人民币 ?{_NUM} ?(?:万亿|千万|百万|万|亿)?元?"
)
_MONEY_CONTEXT = re.compile(r"(?:资本|资金|投资|融资|金额|注资|收入|利润|价值|估值|资产|营收|出资|募资|现金|投入)")
_PERCENT = re.compile(rf"(?<!\d)(?<!\d[.,]){_NUM} ?[%%]|百分之[零一二三四五六七八九十百点\d.]+")
_DOCUMENT = re.compile(r"《([^《》\n]{1,80})》")
_ALIAS = re.compile(r"(?:以下简称|以下称|下称|简称)[::]?\s*[“\"「『‘]([^”\"」』’\n]{1,30})[”\"」』’]")

# Sources, for ties at equal length (higher wins).
_PRIORITY = {"regex": 5, "gazetteer": 4, "alias": 4, "suffix": 3, "lexicon": 2, "person": 2, "propagated": 1}




def lexicon_patterns() -> List[dict]:
    patterns = [{"label": "TITLE", "pattern": t, "id": "lexicon"} for t in lex.TITLES]
    patterns += [{"label": "LOC", "pattern": p, "id": "lexicon"} for p in lex.LOCATIONS]
    patterns += [{"label": "GOV", "pattern": g, "id": "lexicon"} for g in lex.GOV_NAMES]
    return patterns




# --- the finder -----------------------------------------------------------------------------------

class RuleEntityFinder:
    """Entities of all eleven labels from regexes, suffixes, lexicons and a gazetteer of names.

    gazetteer: simplified name -> label, the names annotated in the articles the pipeline learns
    from (never the ones it is scored on).
    """

    def __init__(self, gazetteer: Optional[Dict[str, str]] = None):
        self.gazetteer = dict(gazetteer or {})
        self.nlp = build_ruler_pipeline(
            lexicon_patterns()
            + [{"label": l, "pattern": n, "id": "gazetteer"} for n, l in sorted(self.gazetteer.items())])
        self._suffixes = sorted(((s, label) for label, items in lex.ORG_SUFFIXES.items() for s in items),
                                key=lambda x: -len(x[0]))
        self._stop_words = sorted(lex.NAME_STOP_WORDS, key=len, reverse=True)

    def find_entities(self, text: str) -> List[Span]:
        norm = to_simplified_aligned(text)
        masked = _mask_inner_stops(norm)
        candidates = []  # (start, end, label, source)
        regex_spans = self._regex_spans(norm)
        candidates += regex_spans
        candidates += self._ruler_spans(text)
        candidates += self._suffix_spans(norm, masked)
        candidates += self._alias_spans(norm, candidates)
        chosen = _resolve(candidates)
        # persons need the titles and organisations that survived
        people = self._person_spans(norm, chosen)
        chosen = _resolve([(s, e, l, src) for s, e, l, src in chosen] + people)
        chosen = self._person_lists(norm, chosen)
        # the names found so far are matched again in the whole article
        chosen = _resolve(chosen + self._propagate(norm, chosen), keep=chosen)
        chosen = [c for c in chosen if self._keep(norm, c, chosen)]
        title_starts = {c[0] for c in chosen if c[2] == "TITLE"}
        chosen = [(s, e, "GOV", src) if l == "LOC" and e in title_starts and src == "suffix" else (s, e, l, src)
                  for s, e, l, src in chosen]
        return sorted((s, e, l) for s, e, l, _ in chosen)

    # layers
    def _ruler_spans(self, text: str) -> list:
        """Every entity_ruler match, overlapping ones included (the resolution comes later)."""
        doc = self.nlp.make_doc(text)
        doc = self.nlp.get_pipe("zh_simplified_norms")(doc)
        ruler = self.nlp.get_pipe("entity_ruler")
        spans = []
        for match_id, start, end in ruler.match(doc):
            label, _, source = self.nlp.vocab.strings[match_id].partition("||")
            span = doc[start:end]
            spans.append((span.start_char, span.end_char, label, source or "lexicon"))
        return spans

    def _regex_spans(self, norm: str) -> list:
        spans = []
        for m in _DOCUMENT.finditer(norm):
            inner = m.group(1).strip()
            if inner:
                start = m.start(1) + m.group(1).index(inner)
                # a periodical in 《》 is an ORG when the gazetteer says so
                label = self.gazetteer.get(inner, "DOCUMENT")
                spans.append((start, start + len(inner), label, "regex"))
        for m in _DATE.finditer(norm):
            spans.append((m.start(), m.end(), "DATE", "regex"))
        for m in _PERCENT.finditer(norm):
            spans.append((m.start(), m.end(), "PERCENT", "regex"))
        for m in _MONEY.finditer(norm):
            value = m.group()
            has_currency = re.search(_CURRENCY + r"$", value) or value.startswith("人民币")
            if not has_currency:
                # a bare 1,000万 is money only after a money word and before punctuation
                after = norm[m.end():m.end() + 1]
                if after and after not in ",,。;;、)) \n" or not _MONEY_CONTEXT.search(norm[max(0, m.start() - 8):m.start()]):
                    continue
            spans.append((m.start(), m.end(), "MONEY", "regex"))
        return spans

    def _suffix_spans(self, norm: str, masked: str) -> list:
        spans = []
        taken_ends = set()
        for suffix, label in self._suffixes:
            for m in re.finditer(re.escape(suffix), norm):
                end = m.end()
                if (end, label) in taken_ends:
                    continue
                if not _suffix_context_ok(norm, m.start(), end, suffix):
                    continue
                start = self._name_start(masked, m.start())
                prefix = norm[start:m.start()]
                if not prefix:
                    if suffix in lex.BARE_SUFFIX_NAMES:
                        spans.append((m.start(), end, label, "suffix"))
                        taken_ends.add((end, label))
                    continue
                if _is_generic(prefix):
                    continue
                if suffix == "局" and len(prefix) < 2:
                    continue
                taken_ends.add((end, label))
                spans.append((start, end, label, "suffix"))
        for suffix in sorted(lex.LOC_SUFFIXES, key=len, reverse=True):
            for m in re.finditer(re.escape(suffix), norm):
                if norm[m.end():m.end() + 1] in ("长", "委", "场", "域", "间", "别", "内", "外", "级", "民", "政", "值"):
                    continue
                start = self._name_start(masked, m.start(), limit=12)
                name = norm[start:m.end()]
                if len(name) < 2 or start == m.start() or name in lex.NOT_LOC_WORDS or name in lex.LOC_SUFFIXES:
                    continue
                if any(name.endswith(w) for w in lex.NOT_LOC_WORDS if w not in lex.LOC_SUFFIXES):
                    continue
                if _is_generic(norm[start:m.start()]):
                    continue
                spans.append((start, m.end(), "LOC", "suffix"))
        return spans

    def _name_start(self, masked: str, suffix_start: int, limit: int = 20) -> int:
        i = suffix_start
        while i > 0 and suffix_start - i < limit:
            c = masked[i - 1]
            if c in (")", ")"):
                opening = max(masked.rfind("(", max(0, i - 10), i - 1), masked.rfind("(", max(0, i - 10), i - 1))
                inner = masked[opening + 1:i - 1] if opening >= 0 else ""
                if opening > 0 and inner and all(_is_cjk(ch) for ch in inner):
                    i = opening
                    continue
                break
            if c in lex.NAME_STOP_CHARS or c.isdigit() or not (_is_cjk(c) or c.isalpha() or c in "&"):
                break
            word = next((w for w in self._stop_words if masked.endswith(w, 0, i)), None)
            if word and word not in lex.NAME_WORDS_BEFORE_SUFFIX:
                break
            i -= 1
        # a name does not start with a verb-like word that may sit inside names (发展互联网医院)
        for word in lex.NAME_WORDS_BEFORE_SUFFIX:
            if masked.startswith(word, i) and i + len(word) <= suffix_start:
                i += len(word)
        return i

    def _alias_spans(self, norm: str, candidates: list) -> list:
        spans = []
        for m in _ALIAS.finditer(norm):
            full = _entity_before(candidates, m.start(), norm)
            label = full[2] if full else "COMPANY"
            spans.append((m.start(1), m.end(1), label, "alias"))
        return spans

    def _person_spans(self, norm: str, chosen: list) -> list:
        people = []
        starts = {s: (s, e, l, src) for s, e, l, src in chosen}
        ends = {e: (s, e, l, src) for s, e, l, src in chosen}
        occupied = _occupied(chosen)
        for s, e, label, _ in chosen:
            if label != "TITLE":
                continue
            # title, then the name: 董事长史今女士, 院长马庆久主持
            name = _name_at(norm, e, starts, occupied)
            if name:
                people.append((e, e + name, "PERSON", "person"))
            # organisation, name, title: 委员会孙振林副主任
            for length in (3, 2):
                b = s - length
                if b < 0 or any(p in occupied for p in range(b, s)):
                    continue
                before = ends.get(b)
                if (before and before[2] in ORG_LABELS) or (b == 0 or norm[b - 1] in lex.NAME_STOP_CHARS):
                    if _looks_like_name(norm[b:s]):
                        people.append((b, s, "PERSON", "person"))
                        break
        for m in re.finditer("先生|女士", norm):
            for length in (3, 2):
                b = m.start() - length
                if b < 0 or any(p in occupied for p in range(b, m.start())):
                    continue
                if (b == 0 or norm[b - 1] in lex.NAME_STOP_CHARS or b in ends) and _looks_like_name(norm[b:m.start()]):
                    people.append((b, m.start(), "PERSON", "person"))
                    break
        return people

    def _person_lists(self, norm: str, chosen: list) -> list:
        """张广新、严兆军、梁杰钊等: names joined by 、 to a found name are names too."""
        chosen = list(chosen)
        changed = True
        while changed:
            changed = False
            occupied = _occupied(chosen)
            starts = {c[0] for c in chosen}
            for s, e, label, _ in list(chosen):
                if label != "PERSON":
                    continue
                if norm[e:e + 1] == "、":
                    length = _name_at(norm, e + 1, {x: None for x in starts}, occupied, need_follower=True)
                    if length:
                        chosen.append((e + 1, e + 1 + length, "PERSON", "person"))
                        changed = True
                        break
                if s > 1 and norm[s - 1] == "、":
                    for length in (3, 2):
                        b = s - 1 - length
                        if b >= 0 and not any(p in occupied for p in range(b, s - 1)) \
                                and (b == 0 or norm[b - 1] in lex.NAME_STOP_CHARS) \
                                and _looks_like_name(norm[b:s - 1]):
                            chosen.append((b, s - 1, "PERSON", "person"))
                            changed = True
                            break
                    if changed:
                        break
        return _resolve(chosen)

    def _propagate(self, norm: str, chosen: list) -> list:
        names = {}
        for s, e, label, _ in chosen:
            if label in ORG_LABELS or label == "PERSON":
                name = norm[s:e]
                if len(name) >= 2:
                    names.setdefault(name, label)
        spans = []
        for name, label in sorted(names.items(), key=lambda x: -len(x[0])):
            for m in re.finditer(re.escape(name), norm):
                spans.append((m.start(), m.end(), label, "propagated"))
        return spans

    def _keep(self, norm: str, span: tuple, chosen: list) -> bool:
        s, e, label, _ = span
        if label == "TITLE" and norm[s:e] == "负责人":
            return any(c[2] == "PERSON" and c[0] == e for c in chosen)
        if label == "TITLE" and norm[e:e + 3] == "办公室":  # 院长办公室 is a department
            return False
        return True



def build_ruler_pipeline(patterns: Sequence[dict]) -> Language:
    nlp = spacy.blank("zh")
    nlp.add_pipe("zh_simplified_norms")
    nlp.add_pipe("zh_sentences")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "NORM", "overwrite_ents": True})
    ruler.add_patterns(list(patterns))
    return nlp


# --- helpers -------------------------------------------------------------------------------------

def _is_cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"


_INNER_STOP_PHRASES = ["卫生和计划生育", "和睦家", "以色列", "同仁", "中国科学院"]


def _mask_inner_stops(norm: str) -> str:
    """Hide the stop characters that belong inside names (卫生和计划生育委员会) from the name scan."""
    masked = list(norm)
    for phrase in _INNER_STOP_PHRASES:
        for m in re.finditer(phrase, norm):
            for i in range(m.start(), m.end()):
                if norm[i] in lex.NAME_STOP_CHARS:
                    masked[i] = "口"
    return "".join(masked)


_GENERIC = sorted(lex.GENERIC_NAME_PARTS, key=len, reverse=True)


def _is_generic(prefix: str) -> bool:
    """True when the words before a suffix are generic (互联网医院, 三级甲等综合医院) but for one character."""
    i, distinctive = 0, 0
    while i < len(prefix):
        for part in _GENERIC:
            if prefix.startswith(part, i):
                i += len(part)
                break
        else:
            distinctive += 1
            i += 1
    return distinctive < 2


def _suffix_context_ok(norm: str, start: int, end: int, suffix: str) -> bool:
    after = norm[end:end + 1]
    if suffix == "局":
        return after not in ("长", "面", "势", "限", "部") and norm[start - 1:start] not in set("布格大结当开全棋出时定变政")
    if suffix in ("党委", "工委", "党工委"):
        # 党委副书记 is a title of its own (the guideline's TITLE example)
        return after not in ("员",) and not (suffix == "党委" and norm.startswith(("副书记", "书记"), end))
    if suffix in ("控股", "资本", "基金"):
        # only as the end of a name, not 控股卫宁健康 or 注册资本
        return after in ("", ",", ",", "、", "(", "(", "与", "和", "及", "的", "旗") and norm[start - 2:start] not in ("注册", "风险")
    if suffix == "学院":
        return norm[start - 1:start] != "医" and after != "士"
    if suffix == "大学":
        return after not in ("生",)
    return True


def _resolve(candidates: list, keep: Optional[list] = None) -> list:
    """Non-overlapping spans: regex spans first, then longest, then by source priority.

    Spans in `keep` always survive (used to let new evidence only fill gaps).
    """
    kept = list(keep or [])
    taken = _occupied(kept)
    rest = [c for c in candidates if c not in kept]
    rest.sort(key=lambda c: (c[3] != "regex", -(c[1] - c[0]), -_PRIORITY.get(c[3], 0), c[0]))
    chosen = list(kept)
    for c in rest:
        s, e = c[0], c[1]
        if e <= s or c[2] not in ENTITY_LABELS:
            continue
        if any(p in taken for p in range(s, e)):
            continue
        chosen.append(c)
        taken.update(range(s, e))
    return sorted(set(chosen))


def _occupied(spans: list) -> set:
    taken = set()
    for c in spans:
        taken.update(range(c[0], c[1]))
    return taken


def _entity_before(candidates: list, position: int, norm: str):
    """The longest organisation-like span ending just before an alias bracket (…有限公司(以下简称)."""
    best = None
    for s, e, label, _ in candidates:
        gap = norm[e:position]
        if e <= position and len(gap) <= 2 and all(ch in "((“\" " for ch in gap):
            if label not in ("DATE", "MONEY", "PERCENT", "TITLE") and (best is None or e - s > best[1] - best[0]):
                best = (s, e, label)
    return best


def _looks_like_name(candidate: str) -> bool:
    if not 2 <= len(candidate) <= 4 or not all(_is_cjk(c) for c in candidate):
        return False
    if candidate in lex.NOT_NAMES or any(c in lex.NAME_STOP_CHARS for c in candidate):
        return False
    if any(candidate.startswith(d) for d in lex.SURNAMES_DOUBLE):
        return len(candidate) in (3, 4)
    return candidate[0] in lex.SURNAMES_SINGLE and len(candidate) <= 3


def _is_follower(norm: str, position: int, starts) -> bool:
    if position >= len(norm):
        return True
    c = norm[position]
    if c in lex.NAME_STOP_CHARS and c not in "的与和及为是对将就也":
        return True
    if position in starts:
        return True
    return any(norm.startswith(w, position) for w in lex.NAME_FOLLOWERS)


def _name_at(norm: str, position: int, starts, occupied: set, need_follower: bool = False) -> int:
    """Length of a 2-3 character name starting at `position`, or 0."""
    for length in (2, 3):
        candidate = norm[position:position + length]
        if any(p in occupied for p in range(position, position + length)):
            return 0
        if _looks_like_name(candidate) and _is_follower(norm, position + length, starts):
            return length
    if need_follower:
        return 0
    return 0


# --- the pipeline component ----------------------------------------------------------------------

class RuleEntities:
    """Sets doc.ents from `RuleEntityFinder`; entities already on the Doc win over rule spans that
    overlap them. Put it before "ner": the ner keeps these spans and labels only the rest."""

    def __init__(self, nlp: Language, name: str):
        self.name = name
        self.finder = RuleEntityFinder()

    def initialize(self, get_examples: Callable[[], Iterable[Example]] = None, *, nlp: Language = None,
                   patterns: Optional[Sequence[dict]] = None):
        """patterns: {"label", "pattern"} dicts, the gazetteer (entries with id "lexicon" are the
        built-in word lists and are skipped)."""
        gazetteer = {}
        for pattern in patterns or []:
            if pattern.get("id") == "lexicon":
                continue
            if pattern.get("label") not in ENTITY_LABELS or not isinstance(pattern.get("pattern"), str):
                raise ValueError(f"rule_entities: bad gazetteer pattern {pattern!r}")
            gazetteer[to_simplified_aligned(pattern["pattern"])] = pattern["label"]
        self.finder = RuleEntityFinder(gazetteer)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for start, end, label in self.finder.find_entities(doc.text):
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        existing = list(doc.ents)
        taken = {i for ent in existing for i in range(ent.start, ent.end)}
        spans = [s for s in filter_spans(spans) if not any(i in taken for i in range(s.start, s.end))]
        doc.ents = sorted(existing + spans, key=lambda s: s.start)
        return doc

    def pipe(self, stream, batch_size: int = 128):
        for doc in stream:
            yield self(doc)

    def to_disk(self, path, *, exclude=tuple()):
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "gazetteer.json", self.finder.gazetteer)

    def from_disk(self, path, *, exclude=tuple()):
        self.finder = RuleEntityFinder(srsly.read_json(ensure_path(path) / "gazetteer.json"))
        return self

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return srsly.json_dumps(self.finder.gazetteer).encode("utf8")

    def from_bytes(self, data: bytes, *, exclude=tuple()):
        self.finder = RuleEntityFinder(srsly.json_loads(data.decode("utf8")))
        return self


@Language.factory("rule_entities", assigns=["doc.ents"], default_config={})
def make_rule_entities(nlp: Language, name: str) -> RuleEntities:
    return RuleEntities(nlp, name)
