"""Relation cues for the rule pre-annotator, applied to entities inside one sentence.

- WORKS_FOR / HOLDS_TITLE: org + title(s) + person chains (国际医学董事长史今), name before title
  (委员会孙振林副主任), attendee lists where the org of the list part carries over (院长羅鳳鳴,常務副院長黃進),
  and 张广新、严兆军等<org>;
- ALIAS_OF: X(以下简称“Y”) -> Y to X;
- SUBSIDIARY_OF: 旗下/附属/子公司/下属, child after the cue, or X为Y…子公司;
- PARTNER_OF: A与/和/携手/联合 B + a cooperation word, earlier mention as head;
- INVESTS_IN: A (通过B) 投资/入股/注资/持股/收购 C, A对C…投资, A向C注资, 由A、B持有;
- LOCATED_IN: A位于L, 位于L的A, A在L…成立/启动.
Every relation is checked against the schema (`relation_allowed`).
"""
import re
from typing import List, Optional, Sequence, Tuple

try:
    from .schema import ORG_LABELS, relation_allowed
    from .script import to_simplified_aligned
    from .sentences import sentence_spans
except ImportError:  # imported on its own by `spacy package --code`
    from healthkg.pipeline.schema import ORG_LABELS, relation_allowed
    from healthkg.pipeline.script import to_simplified_aligned
    from healthkg.pipeline.sentences import sentence_spans

Span = Tuple[int, int, str]
RelationTuple = Tuple[Tuple[int, int], Tuple[int, int], str]

PARTNER_CUES = ("合作", "签署", "签订", "携手", "共建", "联合", "共同", "达成", "联手", "牵手", "合资", "签约")
PARTNER_CONJ = ("与", "和", "同", "跟")
PARTNER_VERBS = ("携手", "联合", "联手", "牵手")
INVEST_CUES = ("投资", "入股", "注资", "持股", "持有", "收购", "增持", "参股", "控股")
SUBSIDIARY_CUES = ("旗下", "附属", "子公司", "下属")
LOCATED_CUES = ("位于", "落户", "设在", "坐落于", "地处")
ALIAS = re.compile(r"[((]\s*(?:以下简称|以下称|下称|简称)[::]?\s*[“\"「『‘]")


def find_relations(text: str, entities: Sequence[Span]) -> List[RelationTuple]:
    norm = to_simplified_aligned(text)
    entities = sorted(entities)
    relations = []
    for s_start, s_end in sentence_spans(text):
        ents = [e for e in entities if s_start <= e[0] and e[1] <= s_end]
        if len(ents) < 2:
            continue
        finder = _SentenceRelations(norm, ents, s_start, s_end)
        relations.extend(finder.run())
    seen, result = set(), []
    for head, tail, label in relations:
        if not relation_allowed(label, head[2], tail[2]) or head[:2] == tail[:2]:
            continue
        if label == "PARTNER_OF" and tail[0] < head[0]:
            head, tail = tail, head
        key = (head[:2], tail[:2], label)
        if key not in seen:
            seen.add(key)
            result.append(key)
    return result


class _SentenceRelations:
    def __init__(self, norm: str, ents: List[Span], lo: int, hi: int):
        self.norm = norm
        self.ents = ents
        self.lo, self.hi = lo, hi
        self.out = []

    def find(self, word: str):
        """(start, end) of every occurrence of `word` in the sentence."""
        start = self.norm.find(word, self.lo, self.hi)
        while start >= 0:
            yield start, start + len(word)
            start = self.norm.find(word, start + 1, self.hi)

    # helpers
    def gap(self, a: Span, b: Span) -> str:
        return self.norm[a[1]:b[0]]

    def org_before(self, position: int, max_gap: int, allowed=None) -> Optional[Span]:
        best = None
        for e in self.ents:
            if e[1] <= position and e[2] in ORG_LABELS:
                best = e
        if best is None:
            return None
        gap = self.norm[best[1]:position]
        if len(gap) > max_gap or (allowed is not None and not re.fullmatch(allowed, gap)):
            return None
        if any(ch in gap for ch in ";;。"):
            return None
        return best

    def orgs_after(self, position: int, max_gap: int, allowed=None) -> List[Span]:
        """The first org after `position` and the orgs coordinated with it (及/和/、/以及)."""
        first = next((e for e in self.ents if e[0] >= position and e[2] in ORG_LABELS), None)
        if first is None:
            return []
        gap = self.norm[position:first[0]]
        if len(gap) > max_gap or any(ch in gap for ch in ",,;;。") or (allowed and not re.fullmatch(allowed, gap)):
            return []
        found = [first]
        for e in self.ents:
            if e[0] >= found[-1][1] and e[2] in ORG_LABELS:
                if re.fullmatch(r"(?:、|及|和|以及|与)(?:其)?(?:附属公司|子公司|旗下的?)?", self.gap(found[-1], e)):
                    found.append(e)
                else:
                    break
        return found

    def full_name_of_alias(self, e: Span) -> Span:
        """For the short form introduced by (以下简称“X”), the full name before the bracket."""
        window = self.norm[max(0, e[0] - 10):e[0]]
        m = ALIAS.search(window)
        if m and window.endswith(m.group()):
            bracket = e[0] - len(m.group())
            full = [x for x in self.ents if x[1] <= bracket and len(self.norm[x[1]:bracket]) <= 1]
            if full:
                return full[-1]
        return e

    def add(self, head: Span, tail: Span, label: str):
        self.out.append((head, tail, label))

    # rules
    def run(self):
        self.people()
        self.aliases()
        self.subsidiaries()
        self.partners()
        self.investments()
        self.locations()
        return self.out

    def people(self):
        current_org, last_person_end = None, None
        ents = self.ents
        for i, p in enumerate(ents):
            if p[2] != "PERSON":
                continue
            titles, orgs = [], []
            j = i - 1
            cursor = p
            while j >= 0:
                e = ents[j]
                gap = self.gap(e, cursor)
                if e[2] == "TITLE" and gap in ("", "、", " "):
                    titles.append(e)
                elif e[2] in ORG_LABELS and gap == "" and cursor[2] == "TITLE":
                    orgs.append(e)
                else:
                    break
                cursor = e
                j -= 1
            chain_start = cursor[0]
            if not titles:
                # 委员会孙振林副主任: name, then title
                after = next((e for e in ents[i + 1:]), None)
                if after and after[2] == "TITLE" and self.gap(p, after) == "":
                    titles.append(after)
                    before = ents[i - 1] if i > 0 else None
                    if before and before[2] in ORG_LABELS and self.gap(before, p) == "":
                        orgs.append(before)
                        chain_start = before[0]
            for t in titles:
                self.add(p, t, "HOLDS_TITLE")
            if orgs:
                current_org = orgs[-1]
            elif titles and current_org is not None and last_person_end is not None:
                between = self.norm[last_person_end:chain_start]
                has_entity = any(last_person_end <= e[0] and e[1] <= chain_start for e in ents)
                if between[:1] in (",", ",", "、") and not any(c in between for c in ";;。") and not has_entity:
                    orgs = [current_org]
                else:
                    current_org = None
            else:
                current_org = None
            for o in orgs:
                self.add(p, o, "WORKS_FOR")
            last_person_end = p[1]
            if not titles:
                last_person_end = None
        # 张广新、严兆军、梁杰钊等<org>
        for i, e in enumerate(ents):
            if e[2] in ORG_LABELS and i > 0 and ents[i - 1][2] == "PERSON" and self.gap(ents[i - 1], e) == "等":
                k = i - 1
                while k >= 0 and ents[k][2] == "PERSON":
                    self.add(ents[k], e, "WORKS_FOR")
                    if k > 0 and self.gap(ents[k - 1], ents[k]) == "、":
                        k -= 1
                    else:
                        break

    def aliases(self):
        for short in self.ents:
            full = self.full_name_of_alias(short)
            if full is not short and full[2] == short[2]:
                self.add(short, full, "ALIAS_OF")

    def subsidiaries(self):
        for cue in SUBSIDIARY_CUES:
            for m_start, m_end in self.find(cue):
                parent = self.org_before(m_start, 6, r"(?:[))”\"]*)(?:的|及其|其|通过|的全资|全资|控股|公司)*")
                if parent is None:
                    continue
                parent_full = self.full_name_of_alias(parent)
                children = self.orgs_after(m_end, 6, r"[^,,。;;、]*")
                if children:
                    for child in children:
                        self.add(child, parent_full, "SUBSIDIARY_OF")
                    continue
                # X为Y(…)全资子公司
                if cue == "子公司":
                    before = [e for e in self.ents if e[1] <= parent_full[0] and e[2] in ORG_LABELS]
                    if before and re.fullmatch(r"(?:为|是|系)", self.norm[before[-1][1]:parent_full[0]]):
                        self.add(before[-1], parent_full, "SUBSIDIARY_OF")

    def partners(self):
        for conj in PARTNER_CONJ + PARTNER_VERBS:
            for m_start, m_end in self.find(conj):
                partners_b = self.orgs_after(m_end, 1)
                if not partners_b:
                    continue
                rest = self.norm[partners_b[-1][1]:partners_b[-1][1] + 40]
                if conj not in PARTNER_VERBS and not any(c in rest for c in PARTNER_CUES):
                    continue
                a = self.org_before(m_start, 30)
                if a is None and conj not in PARTNER_VERBS:
                    # 与B共建…的A
                    later = [e for e in self.ents if e[0] > partners_b[-1][1] and e[2] in ORG_LABELS]
                    if later and "的" in self.norm[partners_b[-1][1]:later[0][0]] \
                            and len(self.norm[partners_b[-1][1]:later[0][0]]) <= 15:
                        a = later[0]
                if a is None:
                    continue
                for b in partners_b:
                    self.add(a, b, "PARTNER_OF")

    def investments(self):
        for cue in INVEST_CUES:
            for m_start, m_end in self.find(cue):
                investees = self.orgs_after(m_end, 10, r"[^,,。;;、]*")
                investors = []
                before = self.org_before(m_start, 12)
                if before is not None:
                    investors = [before]
                    # A通过/借道B投资C: the investor is A
                    earlier = [e for e in self.ents if e[1] <= before[0] and e[2] in ORG_LABELS]
                    if earlier and re.fullmatch(r"(?:通过|借道)(?:子公司|旗下)?", self.norm[earlier[-1][1]:before[0]]):
                        investors = [earlier[-1]]
                    # A对C进行投资 / A向C注资: the org before the cue is the investee
                    if not investees:
                        investor = self.org_before(before[0], 25, r"[^,,。;;]*(?:对|向)[^,,。;;]{0,12}")
                        if investor is not None:
                            investors, investees = [investor], [before]
                            prev = [e for e in self.ents if e[1] <= investor[0] and e[2] in ORG_LABELS]
                            if prev and self.gap(prev[-1], investor) in ("及", "和", "、"):
                                investors.insert(0, prev[-1])
                # 由A、B及C持有: investee is the subject before 由
                if cue == "持有":
                    k = self.norm.rfind("由", 0, m_start)
                    if k >= self.lo:
                        holders = [e for e in self.ents if k < e[0] and e[1] <= m_start and e[2] in ORG_LABELS]
                        subject = [e for e in self.ents if e[1] <= k and e[2] in ORG_LABELS]
                        if holders and subject:
                            investors, investees = holders, [subject[0]]
                for a in investors:
                    for b in investees:
                        self.add(a, b, "INVESTS_IN")

    def locations(self):
        for cue in LOCATED_CUES:
            for m_start, m_end in self.find(cue):
                loc = next((e for e in self.ents if e[0] >= m_end and e[2] == "LOC"), None)
                if loc is None or len(self.norm[m_end:loc[0]]) > 2:
                    continue
                org = self.org_before(m_start, 12)
                if org is None:
                    after = next((e for e in self.ents if e[0] >= loc[1] and e[2] in ORG_LABELS), None)
                    if after and self.norm[loc[1]:after[0]] == "的":
                        org = after
                if org is not None:
                    self.add(org, loc, "LOCATED_IN")
        # A(项目)在L…成立/启动/落地
        for e in self.ents:
            if e[2] not in ORG_LABELS:
                continue
            m = re.match(r"(?:项目)?(?:正式)?在", self.norm[e[1]:e[1] + 5])
            if not m:
                continue
            loc = next((x for x in self.ents if x[0] == e[1] + m.end() and x[2] == "LOC"), None)
            if loc and re.match(r"[^,,。]{0,6}(?:成立|启动|开业|落地|注册)", self.norm[loc[1]:loc[1] + 12]):
                self.add(e, loc, "LOCATED_IN")
