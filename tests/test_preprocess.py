"""`preprocess` on the real seeds and on small bad inputs."""
import json
import re
import subprocess
import sys

import pytest

from healthkg.cleaning import clean_article, is_pinyin_syllable
from healthkg.pipeline.sentences import sentence_spans
from healthkg.preprocess import preprocess
from healthkg.reading import decode_bytes, read_file

from conftest import RAW_DIR, ROOT, SEED_IDS

FURNITURE = [
    "首页 - 新闻中心", "来源:国际医学", "16 Apr.2018", "责编", "\n分享\n", "相关资讯", "热门头条", "儿科 养生",
    "热搜关键词", "您的位置", "• 产品", "CAS号", "侵犯了您的权利", "市场动态更多", "Kelly.Xiao", "客服热线",
    "虹桥路355号", "CPHI.cn", "來源:東軟醫療", "科普视频", "住友制药", "富士胶片", "资讯中心", "百姓健康网",
    "2023-12-18 20:00:08", "转载 2018-10-26",
]
# Body sentences from every seed, including the ones nearest the furniture.
BODY_SENTENCES = [
    "一家高标准的面向全国的互联网医院即将在西安开始建设",
    "西安高新医院院长马庆久主持签约仪式",
    "阿里巴巴与国际医学的强势合作值得期待。",
    "自国家互联网医疗新规出台后,互联网医疗行业步入规范发展的快车道。",
    "让经济落后地区的老百姓看得起病,买得起药。",
    "导读:如果将BAT互联网巨头所描绘的",
    "还需拭目以待。",
    "4月23日,四川大學華西醫院(簡稱“華西醫院”)與東軟醫療正式簽署戰略合作協議。",
    "為我國乃至全球患者帶來更多健康福祉。",
    "北京2023年12月18日 /美通社/ -- 2023年12月18日,北京嘉会国际化医院一期工程启动仪式",
    "致力于让\"国际化医疗\"服务于更广泛人群。",
]


def test_all_five_seeds_are_cleaned(seed_articles):
    assert sorted(seed_articles) == SEED_IDS


@pytest.mark.parametrize("fragment", FURNITURE)
def test_no_page_furniture_remains(seed_articles, fragment):
    for article in seed_articles.values():
        assert fragment not in article.text, f"{fragment!r} left in {article.id}"


@pytest.mark.parametrize("sentence", BODY_SENTENCES)
def test_body_sentences_are_kept(seed_articles, sentence):
    assert any(sentence in article.text for article in seed_articles.values())


def test_every_raw_body_sentence_survives(seed_articles):
    """Every sentence-final line fragment of a raw seed is in the clean text, unless it is furniture."""
    removed_ok = ("如果这篇文章侵犯了您的权利,请联系我们。",)
    for article_id, article in seed_articles.items():
        raw = (RAW_DIR / f"{article_id}.txt").read_text(encoding="utf-8")
        raw = re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)", "", raw)
        clean = re.sub(r"\s+", "", article.text)
        for sentence in re.findall(r"[^。!?\n]+[。!?]", raw):
            squeezed = re.sub(r"\s+", "", sentence)
            if squeezed in removed_ok:
                continue
            assert squeezed in clean, f"{article_id}: lost {sentence.strip()[:40]}"


def test_no_pinyin_annotation_remains(seed_articles):
    for article in seed_articles.values():
        assert not re.search(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", article.text)
    trad = seed_articles["003_b17b1d2af71fb75d"]
    assert "四川大學華西醫院" in trad.text
    assert trad.stats["pinyin_annotations_removed"] == 171


def test_real_parentheses_are_kept(seed_articles):
    assert "阿里巴巴(中国)有限公司" in seed_articles["000_8da672c9920b2cfd"].text
    assert "(以下简称“卫宁健康”;股票代码:300253.SZ)" in seed_articles["002_f0ed0490d8566eb9"].text
    assert "(STEM)" in seed_articles["003_b17b1d2af71fb75d"].text
    assert "《互联网医院管理办法(试行)》" in seed_articles["001_10ffcf9db8a8ca64"].text


def test_pinyin_syllable_check():
    assert is_pinyin_syllable("xué") and is_pinyin_syllable("zhuǎn") and is_pinyin_syllable("yī")
    for word in ("app", "man", "STEM", "中国", "healthpoint"):
        assert not is_pinyin_syllable(word)


def test_whitespace_is_normalised_and_nothing_else_changes():
    raw = "标题行很长很长的标题\n\n\u3000\u3000第一段\u00a0有 \t 空格。\n    第二段,缩进。  \n"
    article = clean_article(raw, "x")
    assert article.text == "第一段 有 空格。\n第二段,缩进。"
    for char, offset in zip(article.text, article.offsets):
        assert offset == -1 or raw[offset] == char or raw[offset].isspace()


def test_offsets_map_clean_text_back_to_raw(seed_articles):
    for article_id, article in seed_articles.items():
        raw = (RAW_DIR / f"{article_id}.txt").read_text(encoding="utf-8")
        for char, offset in zip(article.text, article.offsets):
            if offset >= 0 and not char.isspace():
                assert raw[offset] == char


def test_removals_are_counted(seed_articles):
    for article in seed_articles.values():
        s = article.stats
        kept = len(article.text) - (s["paragraphs"] - 1)
        raw_non_newline = s["raw_chars"] - (article.offsets and 0) - _newlines(article.id)
        removed = (s.get("chars_removed_in_lines", 0) + s.get("whitespace_chars_removed", 0)
                   + s.get("pinyin_chars_removed", 0))
        assert kept + removed == raw_non_newline, article.id


def _newlines(article_id):
    return (RAW_DIR / f"{article_id}.txt").read_text(encoding="utf-8").count("\n")


def test_metadata_and_script(seed_articles):
    assert seed_articles["003_b17b1d2af71fb75d"].script == "traditional"
    assert seed_articles["000_8da672c9920b2cfd"].script == "simplified"
    assert seed_articles["000_8da672c9920b2cfd"].date == "2018-04-16"
    assert seed_articles["002_f0ed0490d8566eb9"].title == "阿里入股卫宁健康 开启新一轮医疗信息化资源争夺战"


def test_paragraph_and_sentence_offsets(seed_articles):
    for article in seed_articles.values():
        starts = [start for start, _ in article.paragraphs]
        assert starts[0] == 0
        for (s1, e1), (s2, _) in zip(article.paragraphs, article.paragraphs[1:]):
            assert article.text[e1:s2] == "\n"
        assert article.sentences == sentence_spans(article.text)
        for start, end in article.sentences:
            assert not any(start < ps < end for ps, _ in article.paragraphs), "sentence crosses a paragraph"


# ------------------------------------------------------------ encodings and bad input
def test_gbk_and_big5_files_are_decoded(tmp_path):
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("国际医学与阿里巴巴签署战略合作协议。西安高新医院院长马庆久主持签约仪式。".encode("gbk"))
    big5 = tmp_path / "big5.txt"
    big5.write_bytes("四川大學華西醫院與東軟醫療正式簽署戰略合作協議。雙方將共建創新中心。".encode("big5"))
    result = preprocess([gbk, big5])
    assert not result.errors
    texts = {a.id: a.text for a in result.articles}
    assert texts["gbk"].startswith("国际医学与阿里巴巴")
    assert texts["big5"].startswith("四川大學華西醫院")


def test_html_markup_is_stripped(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>新闻</title><script>var x = '不要';</script></head><body>"
        "<nav>首页 - 新闻中心</nav><p>卫宁健康发布公告。</p><p>阿里健康<b>入股</b>卫宁健康。</p></body></html>",
        encoding="gb18030",
    )
    [document] = list(read_file(page))
    assert "不要" not in document.text and "var x" not in document.text
    article = preprocess([page]).articles[0]
    assert article.text == "卫宁健康发布公告。\n阿里健康入股卫宁健康。"


def test_bad_files_get_clear_errors_and_the_rest_is_processed(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / "good.txt").write_text("这是一篇正常的新闻。", encoding="utf-8")
    (tmp_path / "records.jsonl").write_text(
        '{"id": "a", "text": "第一篇新闻。"}\nnot json\n{"id": "b"}\n', encoding="utf-8")
    result = preprocess([tmp_path])
    assert sorted(a.id for a in result.articles) == ["a", "good"]
    messages = sorted(str(e) for e in result.errors)
    assert any("binary.txt" in m and "binary" in m for m in messages)
    assert any("empty.txt" in m and "empty file" in m for m in messages)
    assert any("image.png" in m and "unsupported" in m for m in messages)
    assert any("records.jsonl:2" in m and "invalid JSON" in m for m in messages)
    assert any("records.jsonl:3" in m and '"text"' in m for m in messages)
    assert len(result.errors) == 5


def test_undecodable_bytes_are_an_error():
    assert "binary" in str(decode_bytes(b"\x00\x01\x02\x03garbage\x00", "x.txt"))


def test_preprocess_command_reports_and_continues(tmp_path):
    (tmp_path / "good.txt").write_text("这是一篇正常的新闻。", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x00\x00")
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "preprocess.py"), str(tmp_path), "--output", str(out),
         "--report", str(tmp_path / "report.md"), "--metadata", str(tmp_path / "none.jsonl")],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "bad.txt" in proc.stderr and "1 files failed" in proc.stdout
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["good"]
    assert "bad.txt" in (tmp_path / "report.md").read_text(encoding="utf-8")
