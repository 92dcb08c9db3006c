"""utils.claims: 구간, 판정, 기록의 모양, 잘못된 입력, docs/05 병합."""
import json
import math

import pytest

import utils.run
from utils import claims
from utils.claims import Claim, Criterion, decide, mean_ci95, run_claim


def _claim(run, rule="greater", threshold=0.0, arms=("a", "b")):
    return Claim(chapter="99_Test", name="demo_claim", claim="a가 b보다 크다.", source="없음", metric="값",
                 arms=arms, run=run,
                 criterion=Criterion("a − b의 구간 하한 > 0", lambda v: v["a"] - v["b"], rule, threshold, "a − b"))


def test_mean_ci95_matches_the_t_table():
    # t 분포표: 자유도 2의 97.5% 분위수 4.303, 자유도 4는 2.776.
    mean, (low, high) = mean_ci95([1.0, 2.0, 3.0])
    assert mean == 2.0
    assert high - mean == pytest.approx(4.303 * 1.0 / math.sqrt(3), abs=1e-3)
    assert mean - low == pytest.approx(high - mean)
    values = [0.1, 0.4, 0.2, 0.5, 0.3]
    sd = math.sqrt(sum((v - 0.3) ** 2 for v in values) / 4)
    _, (low, high) = mean_ci95(values)
    assert (high - low) / 2 == pytest.approx(2.776 * sd / math.sqrt(5), abs=1e-3)


def test_one_value_gives_no_interval_and_no_verdict():
    mean, ci = mean_ci95([0.7])
    assert mean == 0.7 and ci == [None, None]
    assert decide(ci, "greater", 0.0) == "inconclusive"
    with pytest.raises(ValueError, match="하나도"):
        mean_ci95([])


@pytest.mark.parametrize("ci, rule, threshold, verdict", [
    ([0.1, 0.3], "greater", 0.0, "holds"),
    ([-0.3, -0.1], "greater", 0.0, "does not hold"),
    ([-0.3, 0.0], "greater", 0.0, "does not hold"),       # 상한이 기준선에 닿기만 해도 넘지 못한 것
    ([-0.1, 0.1], "greater", 0.0, "inconclusive"),
    ([0.0, 0.2], "greater", 0.0, "inconclusive"),         # 하한이 기준선 위가 아니다
    ([-0.3, -0.1], "less", 0.0, "holds"),
    ([0.1, 0.3], "less", 0.0, "does not hold"),
    ([-0.1, 0.1], "less", 0.0, "inconclusive"),
    ([-0.01, 0.02], "within", (-0.05, 0.05), "holds"),
    ([0.06, 0.2], "within", (-0.05, 0.05), "does not hold"),
    ([-0.2, -0.06], "within", (-0.05, 0.05), "does not hold"),
    ([0.0, 0.1], "within", (-0.05, 0.05), "inconclusive"),
])
def test_decide(ci, rule, threshold, verdict):
    assert decide(ci, rule, threshold) == verdict


def test_criterion_refuses_an_unknown_rule_and_an_empty_band():
    with pytest.raises(ValueError, match="rule"):
        Criterion("x", lambda v: 0.0, "bigger", 0.0)
    with pytest.raises(ValueError, match="lo < hi"):
        Criterion("x", lambda v: 0.0, "within", (0.1, -0.1))


def test_run_claim_record_uses_every_seed_once_in_order():
    seen = []

    def run(seed, quick):
        seen.append((seed, quick))
        return {"a": 1.0 + seed, "b": 0.5}

    record = run_claim(_claim(run), [3, 4, 5], quick=True)
    assert seen == [(3, True), (4, True), (5, True)]
    assert set(claims.REQUIRED_KEYS) <= set(record)
    assert record["arms"] == {"a": [4.0, 5.0, 6.0], "b": [0.5, 0.5, 0.5]}
    assert record["per_seed_statistic"] == [3.5, 4.5, 5.5]
    assert record["statistic"] == pytest.approx(4.5)
    assert record["seeds"] == [3, 4, 5] and record["verdict"] == "holds"
    json.dumps(record)                                    # claims.json에 그대로 쓸 수 있다


def test_run_claim_refuses_missing_arms_and_non_finite_values():
    with pytest.raises(ValueError, match="arm"):
        run_claim(_claim(lambda s, q: {"a": 1.0}), [0])
    with pytest.raises(ValueError, match="유한"):
        run_claim(_claim(lambda s, q: {"a": float("nan"), "b": 0.0}), [0])


def test_the_seed_reaches_global_generators(monkeypatch):
    import random

    draws = {}

    def run(seed, quick):
        draws[seed] = random.random()
        return {"a": 1.0, "b": 0.0}

    run_claim(_claim(run), [0, 1])
    first = dict(draws)
    run_claim(_claim(run), [0, 1])
    assert draws == first and first[0] != first[1]


@pytest.mark.parametrize("argv, message", [
    (["99"], "99"),
    (["--seeds", "0"], "--seeds"),
    (["--quick", "--write-docs"], "--write-docs"),
])
def test_bad_input_exits_2_with_one_sentence(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        claims.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_main_writes_json_and_markdown(tmp_path, monkeypatch):
    claim = _claim(lambda s, q: {"a": 1.0 + 0.1 * s, "b": 1.0})
    monkeypatch.setattr(claims, "load_claims", lambda chapter: [claim])
    monkeypatch.setattr(utils.run, "resolve_chapters", lambda names: ["99_Test"])
    assert claims.main(["99", "--seeds", "3", "--first-seed", "2", "--out", str(tmp_path)]) == 0
    records = json.loads((tmp_path / "claims.json").read_text(encoding="utf-8"))
    assert [r["seeds"] for r in records] == [[2, 3, 4]]
    assert records[0]["verdict"] == "holds"
    table = (tmp_path / "claims.md").read_text(encoding="utf-8")
    assert "a가 b보다 크다." in table and "**holds**" in table


def test_write_docs_replaces_only_the_claims_it_ran(tmp_path, monkeypatch):
    monkeypatch.setattr(claims, "DOC_PATH", tmp_path / "05.md")
    monkeypatch.setattr(claims, "DOC_DATA_PATH", tmp_path / "05.json")
    old_a = run_claim(_claim(lambda s, q: {"a": 1.0 + 0.01 * s, "b": 0.0}), [0, 1, 2])
    other = dict(old_a, chapter="98_Other")
    claims.write_docs([old_a, other])
    new_a = run_claim(_claim(lambda s, q: {"a": -1.0 - 0.01 * s, "b": 0.0}), [0, 1, 2])
    claims.write_docs([new_a])
    stored = json.loads((tmp_path / "05.json").read_text(encoding="utf-8"))
    assert [(r["chapter"], r["verdict"]) for r in stored] == [("98_Other", "holds"), ("99_Test", "does not hold")]
    text = (tmp_path / "05.md").read_text(encoding="utf-8")
    assert f'<a id="{claims.anchor(new_a)}"></a>' in text and "claim-98-demo-claim" in text


def test_every_chapter_declares_its_claims_with_a_criterion():
    from utils.run import find_chapters

    names = set()
    for chapter in find_chapters():
        for claim in claims.load_claims(chapter):
            assert claim.chapter == chapter, f"{chapter}/claims.py의 주장이 다른 장 이름 {claim.chapter!r}을 쓴다"
            assert claim.claim.strip() and claim.source.strip() and claim.metric.strip(), f"{chapter}/{claim.name}"
            assert len(claim.arms) >= 1 and claim.default_seeds >= 3, f"{chapter}/{claim.name}: arm과 seed 수 ≥ 3"
            assert claim.criterion.description.strip(), f"{chapter}/{claim.name}: 기준을 말로도 적는다"
            names.add((chapter, claim.name))
    assert len({chapter for chapter, _ in names}) == len(find_chapters())


def test_write_docs_from_a_recorded_full_run_refuses_smoke_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(claims, "DOC_PATH", tmp_path / "05.md")
    monkeypatch.setattr(claims, "DOC_DATA_PATH", tmp_path / "05.json")
    full = run_claim(_claim(lambda s, q: {"a": 1.0 + 0.01 * s, "b": 0.0}), [0, 1, 2])
    smoke = run_claim(_claim(lambda s, q: {"a": 1.0, "b": 0.0}), [0, 1], quick=True)
    (tmp_path / "full.json").write_text(json.dumps([full]), encoding="utf-8")
    (tmp_path / "smoke.json").write_text(json.dumps([smoke]), encoding="utf-8")
    assert claims.main(["--write-docs", "--from-json", str(tmp_path / "full.json")]) == 0
    assert json.loads((tmp_path / "05.json").read_text(encoding="utf-8"))[0]["verdict"] == "holds"
    for argv in (["--write-docs", "--from-json", str(tmp_path / "smoke.json")],
                 ["--from-json", str(tmp_path / "full.json")],
                 ["--write-docs", "--from-json", str(tmp_path / "missing.json")]):
        with pytest.raises(SystemExit) as exit_info:
            claims.main(argv)
        assert exit_info.value.code == 2
    assert "--quick" in capsys.readouterr().err
