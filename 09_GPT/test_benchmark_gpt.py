"""benchmark_gpt 실행 검사 (시간을 판정하지 않는다: 시간은 기계와 부하에 따라 다르다)."""
import math

import torch

from utils.gradcheck import F32_ATOL

from . import benchmark_gpt
from .paper.gpt import GPT, GPTConfig


def test_tiny_benchmark_runs_and_every_row_has_goal_verdict_and_agreement(capsys):
    result = benchmark_gpt.main(["--tiny", "--repeats", "2"])
    rows = result["rows"]
    assert [r["goal"] for r in rows] == ["L3"] * 7 + ["cache"]
    for r in rows:
        assert math.isfinite(r["ratio"]) and r["verdict"] in ("met", "not met", "unclear"), r["name"]
        assert r.get("max_abs_diff", 0.0) <= F32_ATOL and r.get("same_tokens", True), r["name"]
    assert result["environment"]["threads"] == 1
    printed = capsys.readouterr().out
    assert "HF sdpa" in printed and "NanoGPTTwin" in printed and "판정: " in printed


def test_nanogpt_twin_computes_our_gpt_with_the_same_weights():
    torch.manual_seed(0)
    ours = GPT(GPTConfig(block_size=16, vocab_size=11, n_layer=2, n_head=2, n_embd=8, embd_pdrop=0.0,
                         attn_pdrop=0.0, resid_pdrop=0.0)).eval()
    with torch.no_grad():                          # 큰 가중치: GELU 입력이 O(1)이라 근사의 차이가 보인다
        for p in ours.parameters():
            p.normal_(0.0, 0.5)
    twin = benchmark_gpt.NanoGPTTwin(16, 11, 2, 2, 8)
    twin.load_state_dict(ours.state_dict())                        # 이름이 하나라도 다르면 여기서 실패한다
    x = torch.randint(0, 11, (3, 16), generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(twin(x), ours(x), atol=F32_ATOL, rtol=0)
    start = x[:, :1]
    assert torch.equal(twin.generate(start, 15), ours.generate(start, 15))
