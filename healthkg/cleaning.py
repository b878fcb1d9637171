"""Turn a raw article into clean body text: page furniture out, pinyin annotations out,
whitespace normalised, every body sentence kept, and every removal counted.

Each clean character remembers its offset in the raw text (`Line.offsets`), so results on the
clean text can be mapped back to the text the user gave.
"""
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Dict, List, Optional, Tuple

from .pipeline.script import detect_script
from .pipeline.sentences import sentence_spans

# ---------------------------------------------------------------- pinyin annotations
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PINYIN_CHARS = "a-zü" + _TONED
_PINYIN_ANNOTATION = re.compile(rf"(?<=[\u3400-\u9fff])[((]([{_PINYIN_CHARS}]{{1,6}})[))]")
_INITIALS = "(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
_FINALS = (
    "(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|üan|uen|iou|ai|ei|ao|ou|an|en|in|un|ün|"
    "er|ia|ie|iu|ua|uo|ui|ue|üe|a|o|e|i|u|ü)"
)
_SYLLABLE = re.compile(f"^{_INITIALS}{_FINALS}$")
_TONE_STRIP = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ", "aaaaeeeeiiiioooouuuuüüüü")


def is_pinyin_syllable(candidate: str) -> bool:
    """One toned pinyin syllable such as 'xué' (untoned Latin words like 'app' are real text)."""
    if not any(c in _TONED for c in candidate):
        return False
    return bool(_SYLLABLE.match(candidate.translate(_TONE_STRIP)))


# ---------------------------------------------------------------- line patterns
_SENTENCE_PUNCT = re.compile(r"[。!?!?]")
_DATE_PATTERNS = [
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), lambda m: (m[1], m[2], m[3])),
    (re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"), lambda m: (m[1], m[2], m[3])),
    (re.compile(r"\b(\d{1,2})\s*(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s*(\d{4})\b"),
     lambda m: (m[3], str(_MONTHS.index(m[2]) + 1), m[1])),
]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_SOURCE = re.compile(r"(?:来源|來源)\s*[::]\s*([^\s))]+)")
_NAVIGATION = re.compile(r"^[•·▪●]|^首页\s*[-–>»]|您的位置|热搜关键词|>>|»")
# Lines that end the article: everything from here on is related news, share bars and footers.
_TAIL_MARKER = re.compile(
    r"^(?:分享|相关资讯.{0,6}|相关阅读|相关新闻|相关文章|推荐阅读|热门头条|科普视频|上一篇.*|下一篇.*)$"
    r"|^如果这篇文章侵犯|^免责声明"
)
_FURNITURE = [
    ("editor line", re.compile(r"^[((]?\s*(?:责编|責編|编辑|編輯|责任编辑|責任編輯)\s*[::]")),
    ("source line", re.compile(r"^[((]?\s*(?:来源|來源|转载|轉載)\s*[::][^。]*$")),
    ("copyright or contact", re.compile(
        r"版权所有|版權所有|Copyright|©|联系方式|聯繫方式|客服热线|^地址\s*[::]|^电话\s*[::]"
        r"|[\w.+-]+@[\w-]+\.[\w.]+|https?://|www\.", re.IGNORECASE)),
    ("more link", re.compile(r"更多\s*(?:>>|»)?$")),
    ("share or related bar", _TAIL_MARKER),
]
_MIN_REPEAT_CHARS = 8  # shorter lines may legitimately recur (e.g. a two-word subheading)


def _is_keyword_row(line: str) -> bool:
    """A hot-keyword bar: many short space-separated words and no punctuation."""
    words = line.split()
    return len(words) >= 5 and all(len(w) <= 4 for w in words) and not re.search(r"[,。,、::]", line)


# ---------------------------------------------------------------- data
@dataclass
class Line:
    text: str
    offsets: List[int]  # raw offset of each character of `text`


@dataclass
class Removal:
    reason: str
    text: str


@dataclass
class CleanArticle:
    id: str
    text: str
    offsets: List[int]  # raw offset of each clean character (-1 for the line breaks we insert)
    paragraphs: List[Tuple[int, int]]
    sentences: List[Tuple[int, int]]
    title: Optional[str] = None
    date: Optional[str] = None
    source: Optional[str] = None
    script: str = "simplified"
    removed_lines: List[Removal] = field(default_factory=list)
    stats: Dict[str, int] = field(default_factory=dict)

    def to_record(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "date": self.date,
            "source": self.source,
            "script": self.script,
            "text": self.text,
            "paragraphs": [list(p) for p in self.paragraphs],
            "sentences": [list(s) for s in self.sentences],
            "raw_offsets": self.offsets,
            "cleaning": {
                "stats": self.stats,
                "removed_lines": [{"reason": r.reason, "text": r.text} for r in self.removed_lines],
            },
        }


# ---------------------------------------------------------------- steps
def split_lines(raw: str) -> List[Line]:
    lines, start = [], 0
    for index, char in enumerate(raw + "\n"):
        if char == "\n":
            lines.append(Line(raw[start:index], list(range(start, index))))
            start = index + 1
    return lines


def _is_space(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) == "Zs"


def _is_invisible(char: str) -> bool:
    return char in "\u200b\u200c\u200d\u2060\ufeff"


def normalise_whitespace(line: Line) -> Tuple[Line, int, int]:
    """Strip indentation and trailing space, turn any space (no-break, full-width, tab) into ' ' and
    collapse runs; drop zero-width characters. Returns the line, characters removed, characters replaced."""
    text, offsets, removed, replaced = [], [], 0, 0
    for char, offset in zip(line.text, line.offsets):
        if _is_invisible(char):
            removed += 1
        elif _is_space(char):
            if not text or text[-1] == " ":
                removed += 1
            else:
                replaced += char != " "
                text.append(" ")
                offsets.append(offset)
        else:
            text.append(char)
            offsets.append(offset)
    while text and text[-1] == " ":
        text.pop()
        offsets.pop()
        removed += 1
    return Line("".join(text), offsets), removed, replaced


def strip_pinyin(line: Line) -> Tuple[Line, int, int]:
    """Remove pinyin annotations such as '學(xué)'; returns the line, annotations and characters removed."""
    drop = set()
    count = 0
    for match in _PINYIN_ANNOTATION.finditer(line.text):
        if is_pinyin_syllable(match.group(1)):
            drop.update(range(match.start(), match.end()))
            count += 1
    if not drop:
        return line, 0, 0
    keep = [i for i in range(len(line.text)) if i not in drop]
    return Line("".join(line.text[i] for i in keep), [line.offsets[i] for i in keep]), count, len(drop)


def find_date(text: str) -> Optional[str]:
    for pattern, parts in _DATE_PATTERNS:
        match = pattern.search(text)
        if match:
            year, month, day = parts(match)
            return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    return None


def _is_body_line(text: str) -> bool:
    return bool(_SENTENCE_PUNCT.search(text)) or len(text) >= 60


def _covered_share(short: str, long: str) -> float:
    """Share of `short`'s characters that appear, in order, in `long`."""
    matcher = SequenceMatcher(None, short, long, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(len(short), 1)


def clean_article(raw: str, article_id: str, title: Optional[str] = None, date: Optional[str] = None,
                  source: Optional[str] = None) -> CleanArticle:
    """Clean one raw article. Metadata given by the caller wins over what the header shows."""
    stats = Counter()
    removed: List[Removal] = []
    lines = []
    for line in split_lines(raw):
        line, n_space, n_replaced = normalise_whitespace(line)
        line, n_pinyin, n_pinyin_chars = strip_pinyin(line)
        stats["whitespace_chars_removed"] += n_space
        stats["whitespace_chars_replaced"] += n_replaced
        stats["pinyin_annotations_removed"] += n_pinyin
        stats["pinyin_chars_removed"] += n_pinyin_chars
        lines.append(line)

    def drop(line: Line, reason: str) -> None:
        removed.append(Removal(reason, line.text))
        stats["lines_removed"] += 1
        stats[f"lines_removed:{reason}"] += 1
        stats["chars_removed_in_lines"] += len(line.text)

    body_start = next((i for i, line in enumerate(lines) if _is_body_line(line.text)), len(lines))
    header_title, header_date, header_source = _read_header(lines[:body_start], drop)
    title = title or header_title
    date = date or header_date
    source = source or header_source

    candidates: List[Line] = []
    in_tail = False
    for line in lines[body_start:]:
        text = line.text
        if not text:
            stats["blank_lines"] += 1
            continue
        if in_tail or _TAIL_MARKER.search(text):
            in_tail = True
            drop(line, "related-news or footer block")
            continue
        reason = next((name for name, pattern in _FURNITURE if pattern.search(text)), None)
        if reason is None and _is_keyword_row(text):
            reason = "keyword bar"
        if reason == "source line" and not source:
            match = _SOURCE.search(text)
            source = match.group(1) if match else source
        if reason:
            drop(line, reason)
            continue
        candidates.append(line)

    kept = _drop_repeats(candidates, title, drop)
    text = "\n".join(line.text for line in kept)
    offsets: List[int] = []
    paragraphs = []
    for line in kept:
        if offsets:
            offsets.append(-1)
        start = len(offsets)
        offsets.extend(line.offsets)
        paragraphs.append((start, len(offsets)))
    stats["paragraphs"] = len(paragraphs)
    stats["raw_chars"] = len(raw)
    stats["clean_chars"] = len(text)
    return CleanArticle(
        id=article_id, text=text, offsets=offsets, paragraphs=paragraphs,
        sentences=sentence_spans(text), title=title, date=date, source=source,
        script=detect_script(text), removed_lines=removed, stats=dict(stats),
    )


def _read_header(header: List[Line], drop) -> Tuple[Optional[str], Optional[str], Optional[str]]:
    """Title, date and source from the lines before the body; every header line is removed."""
    date = source = None
    title_candidates = []
    for line in header:
        text = line.text
        if not text:
            continue
        line_date = find_date(text)
        match = _SOURCE.search(text)
        if match:
            source = source or match.group(1)
        if line_date:
            date = date or line_date
        if line_date or match:
            drop(line, "header: date/source line")
        elif _NAVIGATION.search(text) or _is_keyword_row(text):
            drop(line, "header: navigation")
        else:
            title_candidates.append(line)
    title_line = max(title_candidates, key=lambda l: len(l.text), default=None)
    for line in title_candidates:
        drop(line, "header: title" if line is title_line else "header: section name")
    return (title_line.text if title_line else None), date, source


def _drop_repeats(lines: List[Line], title: Optional[str], drop) -> List[Line]:
    """Drop photo captions and leads that repeat the title or another paragraph."""
    kept = []
    for index, line in enumerate(lines):
        text = line.text
        others = [l.text for j, l in enumerate(lines) if j != index]
        if any(text == l.text for l in kept):
            drop(line, "repeated line")
        elif len(text) >= _MIN_REPEAT_CHARS and any(text in other and len(other) > len(text) for other in others):
            drop(line, "repeats part of another paragraph")
        elif title and not _SENTENCE_PUNCT.search(text) and _covered_share(text, title) >= 0.85:
            drop(line, "caption repeating the title")
        else:
            kept.append(line)
    return kept
