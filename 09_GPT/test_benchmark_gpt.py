"""benchmark_gpt 실행 검사 (시간을 판정하지 않는다: 시간은 기계와 부하에 따라 다르다)."""
import math

import torch

from utils.gradcheck import F32_ATOL

from . import benchmark_gpt
from .paper.gpt import GPT, GPTConfig


def test_tiny_benchmark_runs_and_every_row_has_goal_verdict_and_agreement(capsys):
    result = benchmark_gpt.main(["--tiny", "--repeats", "2"])
    rows = result["rows"]
    assert [r["goal"] for r in rows] == ["L3"] * 7 + ["cache"] * 3
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


def test_one_token_steps_feeds_only_the_last_token_each_step():
    torch.manual_seed(0)
    twin = benchmark_gpt.NanoGPTTwin(16, 11, 2, 2, 8).eval()
    with torch.no_grad():                          # LayerNorm은 (1, 0), 나머지는 큰 무작위: 문맥에 따라 답이 달라진다
        for name, p in twin.named_parameters():
            if ".ln" in name:
                p.fill_(1.0 if name.endswith("weight") else 0.0)
            else:
                p.normal_(0.0, 1.0)
    prompts = torch.randint(0, 11, (6, 5), generator=torch.Generator().manual_seed(1))
    out = benchmark_gpt.one_token_steps(twin, prompts, 4)
    assert out.shape == (6, 9) and torch.equal(out[:, :5], prompts)
    with torch.no_grad():
        for i in range(4, 8):                       # 새 token은 바로 앞 token 하나만 본 forward의 argmax
            assert torch.equal(out[:, i + 1], twin(out[:, i:i + 1])[:, -1].argmax(dim=-1))
    assert not torch.equal(out, twin.generate(prompts, 4))      # 문맥을 보는 생성과는 다른 답: 시간만 잴 것
