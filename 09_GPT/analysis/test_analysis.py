"""L4 검증: 안내서(README.md)가 기대는 transformers의 사실, 양방향 가중치 옮기기의 parity, forward hook, 실행.

안내서는 transformers 5.24.0의 설치된 소스를 읽고 썼다. 라이브러리를 올렸을 때 이 사실 중 하나가 바뀌면 어느
사실이 바뀌었는지 assert 메시지가 말한다 — 그러면 안내서의 그 절을 다시 읽고 고친다. 줄 번호는 설치된 버전이
읽은 버전과 같을 때만 확인한다.
"""
from __future__ import annotations

import importlib
import inspect
import math
import re
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
import transformers
from transformers import GenerationConfig, GPT2Config, GPT2LMHeadModel
from transformers.activations import ACT2FN
from transformers.cache_utils import DynamicCache
from transformers.masking_utils import create_causal_mask
from transformers.pytorch_utils import Conv1D

from utils.gradcheck import F32_ATOL

from ..paper.gpt import GPT, GPTConfig
from . import gpt_analysis as A

GUIDE = Path(__file__).with_name("README.md")


@pytest.fixture(scope="module")
def ref():
    torch.manual_seed(0)
    return GPT2LMHeadModel(A.tiny_config(n_layer=3)).eval()


# ---------------------------------------------------------------- 구조적 사실
def test_conv1d_is_a_transposed_linear():
    layer = Conv1D(5, 3)                                              # (nf = out, nx = in)
    assert tuple(layer.weight.shape) == (3, 5), "사실 바뀜: Conv1D.weight가 더 이상 (in, out) layout이 아니다"
    x = torch.randn(2, 4, 3)
    assert (layer(x) - (x @ layer.weight + layer.bias)).abs().max() <= F32_ATOL, "사실 바뀜: Conv1D는 x W + b가 아니다"


def test_gpt2_config_defaults():
    c = GPT2Config()
    facts = {"layer_norm_epsilon": 1e-5, "n_positions": 1024, "vocab_size": 50257, "n_embd": 768, "n_layer": 12,
             "n_head": 12, "initializer_range": 0.02, "activation_function": "gelu_new", "scale_attn_weights": True,
             "scale_attn_by_inverse_layer_idx": False, "reorder_and_upcast_attn": False, "tie_word_embeddings": True,
             "n_inner": None, "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1}
    for name, value in facts.items():
        assert getattr(c, name) == value, f"사실 바뀜: GPT2Config().{name} 기본값이 {value!r}가 아니다"


def test_gelu_new_is_the_tanh_approximation():
    x = torch.linspace(-6, 6, 101)
    assert (ACT2FN["gelu_new"](x) - F.gelu(x, approximate="tanh")).abs().max() <= F32_ATOL, \
        "사실 바뀜: ACT2FN['gelu_new']가 tanh 근사 GELU가 아니다"


def test_lm_head_is_tied_to_wte(ref):
    assert GPT2LMHeadModel._tied_weights_keys == {"lm_head.weight": "transformer.wte.weight"}, \
        "사실 바뀜: GPT2LMHeadModel._tied_weights_keys"
    assert ref.lm_head.weight is ref.transformer.wte.weight, \
        "사실 바뀜: lm_head.weight가 wte.weight와 같은 Parameter가 아니다"
    assert ref.lm_head.bias is None, "사실 바뀜: lm_head에 bias가 생겼다"


def test_default_attention_is_sdpa_and_only_eager_returns_probabilities():
    torch.manual_seed(0)
    default = GPT2LMHeadModel(GPT2Config(n_layer=1, n_head=2, n_embd=8, n_positions=8, vocab_size=11,
                                         bos_token_id=None, eos_token_id=None))
    assert default.config._attn_implementation == "sdpa", "사실 바뀜: 요청하지 않으면 sdpa가 골라지지 않는다"
    eager = GPT2LMHeadModel(A.tiny_config(n_layer=1)).eval()
    x = torch.randint(0, 211, (2, 5))
    maps = A.capture_attention(eager, x)
    assert maps[0].shape == (2, 4, 5, 5), \
        "사실 바뀜: eager GPT2Attention.forward의 두 번째 출력이 (B, nh, T, T)가 아니다"
    seen = []
    handle = default.transformer.h[0].attn.register_forward_hook(lambda m, i, o: seen.append(o[1]))
    with torch.no_grad():
        default(torch.randint(0, 11, (1, 4)))
    handle.remove()
    assert seen == [None], "사실 바뀜: sdpa GPT2Attention이 attention 확률을 돌려준다"


def test_causal_mask_shapes_per_implementation():
    torch.manual_seed(0)
    x = torch.randn(1, 4, 8)
    position_ids = torch.arange(4)[None]
    sdpa = GPT2Config(n_layer=1, n_head=2, n_embd=8, attn_implementation="sdpa")
    assert create_causal_mask(config=sdpa, inputs_embeds=x, attention_mask=None, cache=None,
                              position_ids=position_ids) is None, \
        "사실 바뀜: padding 없는 sdpa에서 create_causal_mask가 None (is_causal 사용)을 돌려주지 않는다"
    eager = GPT2Config(n_layer=1, n_head=2, n_embd=8, attn_implementation="eager")
    mask = create_causal_mask(config=eager, inputs_embeds=x, attention_mask=None, cache=None, position_ids=position_ids)
    assert mask.shape == (1, 1, 4, 4) and mask.dtype == torch.float32, "사실 바뀜: eager mask 모양/dtype"
    future = torch.ones(4, 4, dtype=torch.bool).triu(1)
    assert torch.all(mask[0, 0][future] == torch.finfo(torch.float32).min), "사실 바뀜: 가린 곳이 finfo.min이 아니다"
    assert torch.all(mask[0, 0][~future] == 0), "사실 바뀜: 보이는 곳이 0이 아니다"


def test_cache_object(ref):
    x = torch.randint(0, 211, (2, 6))
    with torch.no_grad():
        out = ref(x, use_cache=True)
    assert isinstance(out.cache, DynamicCache), "사실 바뀜: 출력 .cache가 DynamicCache가 아니다 (이름도 확인)"
    assert out.cache.get_seq_length() == 6
    assert tuple(out.cache.layers[0].keys.shape) == (2, 4, 6, 16), "사실 바뀜: cache key 모양이 (B, nh, T, hs)가 아니다"
    assert "torch.cat" in inspect.getsource(type(out.cache.layers[0]).update), \
        "사실 바뀜: DynamicLayer.update가 torch.cat으로 이어 붙이지 않는다"


def test_residual_projection_initialisation():
    torch.manual_seed(0)
    L = 4
    model = GPT2LMHeadModel(GPT2Config(n_layer=L, n_head=4, n_embd=256, n_positions=32, vocab_size=100,
                                       bos_token_id=None, eos_token_id=None))
    target = 0.02 / math.sqrt(2 * L)
    for block in model.transformer.h:
        for w in (block.attn.c_proj.weight, block.mlp.c_proj.weight):
            assert abs(w.std().item() - target) < 0.03 * target, "사실 바뀜: c_proj 초기화가 0.02/√(2·n_layer)가 아니다"
    assert abs(model.transformer.h[0].attn.c_attn.weight.std().item() - 0.02) < 0.02 * 0.03


def test_logits_processor_order(ref):
    every = GenerationConfig(do_sample=True, temperature=0.7, top_h=0.5, top_k=5, top_p=0.9, min_p=0.05,
                             typical_p=0.9, epsilon_cutoff=1e-4, eta_cutoff=1e-4)
    names = [type(p).__name__ for p in ref._get_logits_processor(generation_config=every, input_ids_seq_length=3)]
    order = ["TemperatureLogitsWarper", "TopHLogitsWarper", "TopKLogitsWarper", "TopPLogitsWarper", "MinPLogitsWarper",
             "TypicalLogitsWarper", "EpsilonLogitsWarper", "EtaLogitsWarper"]
    assert names == order, f"사실 바뀜: sampling warper 순서가 안내서 8절과 다르다: {names}"
    off = GenerationConfig(do_sample=True, temperature=1.0, top_k=0, top_p=1.0)       # 셋 다 꺼진 값
    assert list(ref._get_logits_processor(generation_config=off, input_ids_seq_length=3)) == [], \
        "사실 바뀜: temperature 1.0, top_k 0, top_p 1.0이 warper를 끄지 않는다"


def test_top_k_default_is_none_in_the_config_and_50_in_generate():
    assert GenerationConfig().top_k is None, "사실 바뀜: GenerationConfig().top_k가 None이 아니다"
    assert GenerationConfig._get_default_generation_params()["top_k"] == 50, \
        "사실 바뀜: generate가 채우는 기본 top_k가 50이 아니다"


def test_sdpa_uses_is_causal_only_for_a_causal_layer():
    """mask가 None이고 q_length > 1이어도 층의 is_causal이 False면 sdpa_attention_forward는 causal로 계산하지 않는다."""
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(1, 2, 5, 4, generator=g) for _ in range(3))
    for causal in (True, False):
        layer = torch.nn.Module()
        layer.is_causal = causal
        out, _ = sdpa_attention_forward(layer, q, k, v, attention_mask=None)
        expected = F.scaled_dot_product_attention(q, k, v, is_causal=causal).transpose(1, 2)
        assert (out - expected).abs().max() <= F32_ATOL, f"사실 바뀜: is_causal={causal}인 층의 sdpa 계산"


def test_state_dict_keys(ref):
    keys = list(ref.state_dict())
    assert not any(k.endswith(".attn.bias") for k in keys), "사실 바뀜: attn.bias (mask buffer)가 state_dict에 돌아왔다"
    assert len(keys) == 2 + 12 * 3 + 2 + 1, "사실 바뀜: GPT2LMHeadModel state_dict key 수"
    assert sum(t for _, _, t in A.key_map(ref)) == 4 * 3


GPT2 = "models/gpt2/modeling_gpt2.py"
GEN = "generation/utils.py"
LINES = {   # (파일, 줄) → 그 줄에 있어야 하는 코드. 안내서의 `파일:줄` 인용과 정확히 같은 집합이어야 한다
    (GPT2, 55): "def eager_attention_forward",
    (GPT2, 59): "attn_weights = torch.matmul(query, key.transpose(-1, -2)) * scaling",
    (GPT2, 62): "attn_weights = attn_weights + attention_mask",
    (GPT2, 64): "attn_weights = nn.functional.softmax(attn_weights, dim=-1)",
    (GPT2, 70): "attn_output = torch.matmul(attn_weights, value)",
    (GPT2, 76): "class GPT2Attention",
    (GPT2, 97): "self.scaling = 1.0",
    (GPT2, 101): "self.scaling /= float(self.layer_idx + 1)",
    (GPT2, 107): "self.c_attn = Conv1D(3 * self.embed_dim, self.embed_dim)",
    (GPT2, 112): "self.is_causal = not is_cross_attention",
    (GPT2, 114): "def _upcast_and_reordered_attn",
    (GPT2, 145): '@deprecate_kwarg("past_key_values", "5.40.0", new_name="cache")',
    (GPT2, 198): "curr_cache.update(",
    (GPT2, 203): 'using_eager = self.config._attn_implementation == "eager"',
    (GPT2, 206): ")",
    (GPT2, 231): "class GPT2MLP",
    (GPT2, 248): "class GPT2Block",
    (GPT2, 414): "class GPT2PreTrainedModel",
    (GPT2, 430): '_keys_to_ignore_on_load_unexpected = ["attn.bias", "crossattention.bias"]',
    (GPT2, 432): "def _init_weights(self, module):",
    (GPT2, 448): "std = self.config.initializer_range / math.sqrt(2 * self.config.n_layer)",
    (GPT2, 485): "class GPT2Model",
    (GPT2, 514): "def forward(",
    (GPT2, 563): "cache = DynamicCache(config=self.config)",
    (GPT2, 572): "past_seen_tokens = cache.get_seq_length()",
    (GPT2, 583): "causal_mask = create_causal_mask(",
    (GPT2, 636): "class GPT2LMHeadModel",
    (GPT2, 637): '_tied_weights_keys = {"lm_head.weight": "transformer.wte.weight"}',
    (GPT2, 642): "self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)",
    ("pytorch_utils.py", 95): "class Conv1D",
    ("pytorch_utils.py", 110): "self.weight = nn.Parameter(torch.empty(nx, nf))",
    ("pytorch_utils.py", 119): "torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight)",
    ("masking_utils.py", 74): "def causal_mask_function",
    ("masking_utils.py", 252): "def _ignore_causal_mask_sdpa",
    ("masking_utils.py", 395): "def sdpa_mask",
    ("masking_utils.py", 552): "def eager_mask",
    ("masking_utils.py", 893): "def create_causal_mask",
    ("masking_utils.py", 967): "mask_interface = ALL_MASK_ATTENTION_FUNCTIONS[config._attn_implementation]",
    ("integrations/sdpa_attention.py", 132):
        'is_causal = is_causal if is_causal is not None else getattr(module, "is_causal", True)',
    ("integrations/sdpa_attention.py", 148): "is_causal = q_length > 1 and attention_mask is None and is_causal",
    ("modeling_utils.py", 1855): "def get_correct_attn_implementation",
    ("modeling_utils.py", 1856): 'applicable_attention = "sdpa" if requested_attention is None else',
    ("modeling_utils.py", 2539): "def tie_weights",
    ("cache_utils.py", 104): "class DynamicLayer",
    ("cache_utils.py", 136): "self.keys = torch.cat([self.keys, key_states], dim=-2)",
    ("cache_utils.py", 2009): "class DynamicCache",
    ("generation/configuration_utils.py", 413): 'self.top_k = kwargs.pop("top_k", None)',
    ("generation/configuration_utils.py", 602): "def _get_default_generation_params",
    ("generation/configuration_utils.py", 618): '"top_k": 50,',
    (GEN, 667): "def prepare_inputs_for_generation",
    (GEN, 1416): "def _get_logits_processor",
    (GEN, 1619): "processors.append(TemperatureLogitsWarper(generation_config.temperature))",
    (GEN, 1621): "processors.append(TopHLogitsWarper(top_h=generation_config.top_h))",
    (GEN, 1624): "TopKLogitsWarper(top_k=generation_config.top_k, min_tokens_to_keep=min_tokens_to_keep)",
    (GEN, 1628): "TopPLogitsWarper(top_p=generation_config.top_p, min_tokens_to_keep=min_tokens_to_keep)",
    (GEN, 1633): "MinPLogitsWarper(min_p=generation_config.min_p, min_tokens_to_keep=min_tokens_to_keep)",
    (GEN, 1637): "TypicalLogitsWarper(mass=generation_config.typical_p, min_tokens_to_keep=min_tokens_to_keep)",
    (GEN, 1641): "EpsilonLogitsWarper(",
    (GEN, 1647): "EtaLogitsWarper(",
    (GEN, 2113): "global_defaults = self.generation_config._get_default_generation_params()",
    (GEN, 2115): "generation_config.update(**global_defaults, defaults_only=True)",
    (GEN, 2241): "def _prepare_cache_for_generation",
    (GEN, 2584): "def generate",
    (GEN, 3123): "def _sample",
    (GEN, 3248): "next_token_logits = outputs.logits[:, -1].to(copy=True, dtype=torch.float32",
    (GEN, 3251): "next_token_scores = logits_processor(input_ids, next_token_logits)",
    (GEN, 3277): "next_tokens = torch.multinomial(probs, num_samples=1)",
    (GEN, 3279): "next_tokens = torch.argmax(next_token_scores, dim=-1)",
}
CITATION = re.compile(r"((?:[a-z_]+/)*[a-z_0-9]+\.py):(\d+)")          # 안내서의 `modeling_gpt2.py:55`
FILE_LENGTH = re.compile(r"`transformers/([\w/]+\.py)` \((\d+)줄\)")      # 버전 표의 파일 줄 수


def resolve(cited: str) -> str:
    """안내서의 짧은 경로 (`modeling_gpt2.py`) → LINES의 경로. 꼭 하나만 맞아야 한다."""
    matches = {path for path, _ in LINES if path == cited or path.endswith("/" + cited)}
    assert len(matches) == 1, f"안내서의 {cited!r}가 확인표의 파일 {sorted(matches)}과 하나로 대응하지 않는다"
    return matches.pop()


def test_guide_names_the_version_it_read():
    text = GUIDE.read_text(encoding="utf-8")
    assert f"transformers | {A.READ_FROM['transformers']}" in text or A.READ_FROM["transformers"] in text


def test_line_numbers_in_the_guide():
    assert transformers.__version__ == A.READ_FROM["transformers"], \
        (f"줄 번호는 transformers {A.READ_FROM['transformers']} 기준인데 {transformers.__version__}이 설치되어 있다: "
         "requirements.txt의 고정 버전을 설치하거나, 새 버전에 맞춰 안내서의 줄 번호를 고칠 것")
    root = Path(transformers.__file__).parent
    for (path, line), code in LINES.items():
        source = (root / path).read_text(encoding="utf-8").splitlines()
        assert code in source[line - 1], f"{path}:{line}에 {code!r}가 없다 (안내서의 줄 번호를 고칠 것)"
    guide = GUIDE.read_text(encoding="utf-8")
    lengths = FILE_LENGTH.findall(guide)
    assert len(lengths) == 8
    for path, count in lengths:
        assert len((root / path).read_text(encoding="utf-8").splitlines()) == int(count), f"{path}의 줄 수"


def test_every_cited_line_is_checked():
    """안내서가 `파일:줄`로 인용한 줄의 집합 == LINES. 확인하지 않는 인용도, 인용하지 않는 확인도 없다.
    "55줄"처럼 파일 없이 쓴 줄 번호도 없어야 한다 (어느 파일인지 테스트가 알 수 없다)."""
    guide = GUIDE.read_text(encoding="utf-8")
    cited = {(resolve(path), int(line)) for path, line in CITATION.findall(guide)}
    assert cited - set(LINES) == set(), f"확인하지 않는 인용: {sorted(cited - set(LINES))}"
    assert set(LINES) - cited == set(), f"안내서가 인용하지 않는 확인: {sorted(set(LINES) - cited)}"
    bare = [m.group(0) for m in re.finditer(r"(?<![\w.:(])\d+줄", guide)]
    assert bare == [], f"파일 없이 쓴 줄 번호: {bare}"


def test_code_the_guide_quotes_is_the_installed_code():
    """안내서가 본문에 옮겨 적은 코드 줄은 (줄바꿈을 무시하고) 설치된 소스의 그 줄과 글자까지 같다."""
    guide = " ".join(GUIDE.read_text(encoding="utf-8").split())
    quoted = [("integrations/sdpa_attention.py", 148), (GPT2, 107), (GPT2, 203), (GPT2, 637), ("cache_utils.py", 136),
              ("generation/configuration_utils.py", 413)]
    for key in quoted:
        assert LINES[key] in guide, f"안내서가 {key}의 코드를 다르게 옮겨 적었다: {LINES[key]!r}"


# ---------------------------------------------------------------- 옮기기, parity, hook
@pytest.mark.parametrize("overrides", [{}, dict(n_inner=72, layer_norm_epsilon=1e-4, tie_word_embeddings=False)])
def test_ported_model_matches_both_ways(overrides):
    torch.manual_seed(1)
    ref = GPT2LMHeadModel(A.tiny_config(**overrides)).eval()
    ours = GPT.from_reference(ref)
    back = A.to_reference(ours).eval()
    x = torch.randint(0, 211, (2, 13))
    assert A.max_logit_diff(ref, ours, x) <= F32_ATOL
    assert A.max_logit_diff(ours, back, x) <= F32_ATOL
    for key, value in ref.state_dict().items():
        assert torch.equal(back.state_dict()[key], value), key
    assert A.max_logit_diff(ref, A.to_reference(ours, "sdpa").eval(), x) <= F32_ATOL


def test_hook_attention_equals_ours(ref):
    x = torch.randint(0, 211, (2, 9))
    ours = GPT.from_reference(ref)
    for a, b in zip(A.capture_attention(ref, x), A.our_attention(ours, x)):
        assert (a - b).abs().max().item() <= F32_ATOL
    assert all(not block.attn._forward_hooks for block in ref.transformer.h)      # hook은 떼어 둔다


def test_bad_inputs():
    torch.manual_seed(0)
    sdpa = GPT2LMHeadModel(A.tiny_config(attn_implementation="sdpa"))
    with pytest.raises(ValueError, match="eager"):
        A.capture_attention(sdpa, torch.zeros(1, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="pre_ln=False"):
        A.to_reference(GPT(GPTConfig.gpt1(block_size=8, vocab_size=10, n_layer=1, n_head=1, n_embd=4)))


def test_quick_run(tmp_path):
    result = A.main(["--quick", "--threads", "1", "--out", str(tmp_path)])
    assert result["level"] == "analysis" and result["value"] <= F32_ATOL and result["greedy_20_equal"]
    assert result["n_transposed"] == 4 * 2
    assert all(Path(p).stat().st_size > 0 for p in result["plots"])


def test_pretrained_missing_is_one_sentence(monkeypatch):
    module = importlib.import_module("transformers")

    def missing(*args, **kwargs):
        raise OSError("not cached")

    monkeypatch.setattr(module.GPT2LMHeadModel, "from_pretrained", missing)
    from utils.core import DatasetUnavailable

    with pytest.raises(DatasetUnavailable, match="gpt2"):
        A.load_pretrained()
