"""The rule pre-annotator on seed sentences, traditional text and subset-built gazetteers."""
import json

import pytest

from healthkg.pipeline.schema import relation_allowed
from healthkg.pipeline.script import to_traditional
from healthkg.pipeline.sentences import sentence_spans
from healthkg.rules import RulePreAnnotator, annotate_paragraphs, entity_ruler_patterns, gazetteer_from_annotations


@pytest.fixture(scope="module")
def rules():
    return RulePreAnnotator(use_gazetteer=False)


def named(text, result):
    return {(text[s:e], label) for s, e, label in result.entities}


def related(text, result):
    return {(text[h[0]:h[1]], text[t[0]:t[1]], label) for h, t, label in result.relations}


SIGNING = ("4月16日,在西安市、西安高新区管委会及省市卫计委有关领导的见证下,西安国际医学投资股份有限公司分别与"
           "阿里巴巴(中国)有限公司及其旗下的阿里健康科技(中国)有限公司,签署了《“新医疗”创新合作协议》。")


def test_organisations_dates_documents_and_relation_cues(rules):
    result = rules.annotate(SIGNING)
    found = named(SIGNING, result)
    assert {("4月16日", "DATE"), ("西安高新区管委会", "GOV"), ("西安国际医学投资股份有限公司", "COMPANY"),
            ("阿里巴巴(中国)有限公司", "COMPANY"), ("阿里健康科技(中国)有限公司", "COMPANY"),
            ("“新医疗”创新合作协议", "DOCUMENT")} <= found
    relations = related(SIGNING, result)
    assert ("阿里健康科技(中国)有限公司", "阿里巴巴(中国)有限公司", "SUBSIDIARY_OF") in relations
    assert ("西安国际医学投资股份有限公司", "阿里巴巴(中国)有限公司", "PARTNER_OF") in relations


def test_titles_people_and_works_for(rules):
    text = "陕西省卫生和计划生育委员会孙振林副主任、董事长史今女士,西安高新医院院长马庆久主持签约仪式。"
    result = rules.annotate(text)
    found = named(text, result)
    assert {("陕西省卫生和计划生育委员会", "GOV"), ("孙振林", "PERSON"), ("副主任", "TITLE"),
            ("董事长", "TITLE"), ("史今", "PERSON"), ("西安高新医院", "HOSPITAL"), ("院长", "TITLE"),
            ("马庆久", "PERSON")} <= found
    assert not any("女士" in name or "先生" in name for name, _ in found)
    relations = related(text, result)
    assert {("孙振林", "副主任", "HOLDS_TITLE"), ("孙振林", "陕西省卫生和计划生育委员会", "WORKS_FOR"),
            ("史今", "董事长", "HOLDS_TITLE"), ("马庆久", "西安高新医院", "WORKS_FOR"),
            ("马庆久", "院长", "HOLDS_TITLE")} <= relations


def test_money_percent_and_dates(rules):
    text = ("注册资本1,000万,总投资3,944.68万元,完成2.8亿美金的融资,投资金额约3.3亿元,持有15%的权益,"
            "2017年5月22日、2018年4月16日及2017 年年报;门诊量达到680万余人次,15年间,今年7月。")
    found = named(text, rules.annotate(text))
    for name, label in [("1,000万", "MONEY"), ("3,944.68万元", "MONEY"), ("2.8亿美金", "MONEY"),
                        ("3.3亿元", "MONEY"), ("15%", "PERCENT"), ("2017年5月22日", "DATE"),
                        ("2018年4月16日", "DATE"), ("2017 年", "DATE"), ("7月", "DATE")]:
        assert (name, label) in found
    assert not any(name.startswith(("680", "15年")) for name, _ in found)


def test_alias_and_investment(rules):
    text = ("卫宁健康科技集团股份有限公司(以下简称“卫宁健康”)发布公告。"
            "上海云鑫为浙江蚂蚁小微金融服务集团股份有限公司(以下简称“蚂蚁金服”)全资子公司。")
    result = rules.annotate(text)
    relations = related(text, result)
    assert ("卫宁健康", "卫宁健康科技集团股份有限公司", "ALIAS_OF") in relations
    assert ("蚂蚁金服", "浙江蚂蚁小微金融服务集团股份有限公司", "ALIAS_OF") in relations
    text = "腾讯以12.66亿元对医疗信息化上市公司东华软件进行战略投资。"
    rules_with_names = RulePreAnnotator(gazetteer={"腾讯": "COMPANY", "东华软件": "COMPANY"})
    assert ("腾讯", "东华软件", "INVESTS_IN") in related(text, rules_with_names.annotate(text))


def test_traditional_text_gives_the_same_spans(rules):
    simplified = "华西医院院长罗凤鸣,常务副院长黄进;四川大学华西医院(简称“华西医院”)与东软医疗签署协议。"
    traditional = to_traditional(simplified)
    assert traditional != simplified and len(traditional) == len(simplified)
    assert rules.annotate(traditional).entities == rules.annotate(simplified).entities
    found = named(traditional, rules.annotate(traditional))
    assert ("四川大學華西醫院", "HOSPITAL") in found and ("羅鳳鳴", "PERSON") in found
    assert ("黃進", "華西醫院", "WORKS_FOR") in related(traditional, rules.annotate(traditional))


def test_relations_stay_inside_sentences_and_schema(rules, seed_articles):
    text = seed_articles["003_b17b1d2af71fb75d"].text
    result = rules.annotate(text)
    labels = {(s, e): label for s, e, label in result.entities}
    sentences = sentence_spans(text)
    assert result.relations
    for head, tail, label in result.relations:
        assert relation_allowed(label, labels[head], labels[tail])
        assert any(s <= head[0] and head[1] <= e and s <= tail[0] and tail[1] <= e for s, e in sentences)


def test_paragraph_output_matches_clean_text(rules, seed_articles):
    record = seed_articles["001_10ffcf9db8a8ca64"].to_record()
    paragraphs = annotate_paragraphs(rules, record)
    assert len(paragraphs) == len(record["paragraphs"])
    for p in paragraphs:
        assert record["text"][p.offset:p.offset + len(p.text)] == p.text
        for e in p.entities:
            assert 0 <= e.start < e.end <= len(p.text)
    assert sum(len(p.entities) for p in paragraphs) > 30


def _write_article(folder, article_id, text, entities):
    record = {"id": f"{article_id}:0", "text": text, "article_id": article_id, "paragraph_index": 0,
              "paragraph_offset": 0, "relations": [],
              "entities": [{"id": i, "label": label, "start_offset": text.index(name),
                            "end_offset": text.index(name) + len(name)}
                           for i, (name, label) in enumerate(entities, start=1)]}
    (folder / f"{article_id}.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")


def test_gazetteer_is_built_from_the_chosen_articles_only(tmp_path):
    _write_article(tmp_path, "a", "東軟醫療簽約。", [("東軟醫療", "COMPANY")])
    _write_article(tmp_path, "b", "嘉会医疗签约。", [("嘉会医疗", "COMPANY")])
    assert gazetteer_from_annotations(["a"], tmp_path) == {"东软医疗": "COMPANY"}  # stored simplified
    assert set(gazetteer_from_annotations(None, tmp_path)) == {"东软医疗", "嘉会医疗"}
    with pytest.raises(ValueError, match="no annotations"):
        gazetteer_from_annotations(["missing"], tmp_path)

    held_out = "东软医疗与嘉会医疗签约。"
    rules = RulePreAnnotator(gazetteer_articles=["a"], annotations_dir=tmp_path)
    found = named(held_out, rules.annotate(held_out))
    assert ("东软医疗", "COMPANY") in found and ("嘉会医疗", "COMPANY") not in found
    assert not RulePreAnnotator(gazetteer_articles=[], annotations_dir=tmp_path).gazetteer

    patterns = entity_ruler_patterns(["a"], tmp_path)
    names = {p["pattern"] for p in patterns}
    assert "东软医疗" in names and "嘉会医疗" not in names and "董事长" in names


def test_word_list_entries_seen_in_one_article_are_reported(tmp_path):
    from healthkg.rules_baseline import baseline_report, word_lists_seen_in_one_article

    _write_article(tmp_path, "a", "喀什的董事长签约。", [("喀什", "LOC"), ("董事长", "TITLE")])
    _write_article(tmp_path, "b", "董事长在北京。", [("董事长", "TITLE"), ("北京", "LOC")])
    assert word_lists_seen_in_one_article(tmp_path) == {"a": ["喀什"], "b": ["北京"]}
    assert "| a | 喀什 |" in baseline_report(tmp_path)
