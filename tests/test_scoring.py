"""P/R/F helpers on hand-made cases."""
import pytest

from healthkg.scoring import PRF, Scores, format_table, score_entities, score_relations


def test_entity_exact_match_per_label_and_micro():
    gold = {(0, 4, "COMPANY"), (5, 7, "PERSON"), (8, 10, "TITLE")}
    pred = {(0, 4, "COMPANY"), (5, 7, "TITLE"), (8, 10, "TITLE"), (11, 12, "DATE")}
    scores = score_entities(gold, pred)
    assert scores.per_label["COMPANY"] == PRF(1, 0, 0)
    assert scores.per_label["PERSON"] == PRF(0, 0, 1)  # wrong label is a miss and a false alarm
    assert scores.per_label["TITLE"] == PRF(1, 1, 0)
    assert scores.per_label["DATE"] == PRF(0, 1, 0)
    micro = scores.micro
    assert (micro.tp, micro.fp, micro.fn) == (2, 2, 1)
    assert micro.precision == pytest.approx(0.5)
    assert micro.recall == pytest.approx(2 / 3)
    assert micro.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))


def test_boundary_mismatch_is_not_a_match():
    scores = score_entities({(0, 4, "COMPANY")}, {(0, 3, "COMPANY")})
    assert scores.micro == PRF(0, 1, 1)
    assert scores.micro.f1 == 0.0


def test_macro_averages_labels_and_skips_absent_ones():
    scores = score_entities({(0, 1, "A"), (2, 3, "B")}, {(0, 1, "A")})
    p, r, f = scores.macro()
    assert (p, r, f) == pytest.approx((0.5, 0.5, 0.5))  # A: 1/1/1, B: 0/0/0
    p, r, f = scores.macro(["A", "B", "NEVER_SEEN"])
    assert f == pytest.approx(0.5)


def test_empty_sets_score_zero_without_dividing_by_zero():
    scores = score_entities([], [])
    assert scores.micro.f1 == 0.0 and scores.macro() == (0.0, 0.0, 0.0)


def test_doc_keyed_items_do_not_match_across_documents():
    gold = {("a", 0, 2, "PERSON")}
    pred = {("b", 0, 2, "PERSON")}
    assert score_entities(gold, pred).micro == PRF(0, 1, 1)


def test_relations_need_spans_labels_type_and_direction():
    org, person, title = (0, 4, "COMPANY"), (7, 9, "PERSON"), (4, 7, "TITLE")
    gold = {(person, org, "WORKS_FOR"), (person, title, "HOLDS_TITLE")}
    pred = {(org, person, "WORKS_FOR"),                        # reversed
            (person, (4, 7, "ORG"), "HOLDS_TITLE")}           # wrong tail label
    scores = score_relations(gold, pred)
    assert scores.micro == PRF(0, 2, 2)
    assert score_relations(gold, gold).micro == PRF(2, 0, 0)


def test_partner_of_is_unordered_but_invests_in_is_not():
    a, b = ("d", 0, 4, "COMPANY"), ("d", 5, 9, "HOSPITAL")
    gold = {("d", a, b, "PARTNER_OF"), ("d", a, b, "INVESTS_IN")}
    pred = {("d", b, a, "PARTNER_OF"), ("d", b, a, "INVESTS_IN")}
    scores = score_relations(gold, pred)
    assert scores.per_label["PARTNER_OF"] == PRF(1, 0, 0)
    assert scores.per_label["INVESTS_IN"] == PRF(0, 1, 1)


def test_scores_add_up_across_documents_and_print():
    one = score_entities({(0, 1, "A")}, {(0, 1, "A")})
    two = score_entities({(0, 1, "A")}, set())
    total = one.add(two)
    assert total.per_label["A"] == PRF(1, 0, 1)
    table = format_table(total, "entities")
    assert "| A | 1.000 | 0.500 | 0.667 | 2 | 1 | 1 |" in table
    assert total.to_dict()["micro"]["f"] == pytest.approx(0.6667)
    assert isinstance(Scores().micro, PRF)
