"""코드 읽기 안내서 검사: docs/03 (Hugging Face transformers)과 docs/04 (timm).

두 안내서는 설치된 라이브러리의 소스를 읽고 썼다. 여기서는
- 안내서가 기대는 사실(기본값, 이름, 모양, 동작)을 설치된 버전에서 하나씩 assert하고 — 라이브러리를 올려 사실이 바뀌면
  assert 메시지가 **어느 사실이 바뀌었는지** 말한다 —,
- 안내서의 모든 `패키지/경로.py:줄`이 그 줄에 말한 이름(또는 인용한 코드)을 가리키는지 확인하고 (표에 없는 줄 번호가
  안내서에 있어도, 안내서에 없는 줄 번호가 표에 있어도 실패),
- 모든 상대 링크가 있는 파일을 가리키는지,
- 안내서의 ```python 코드 블록이 그대로 실행되는지 (offline, 작은 무작위 config) 확인한다.
"""
from __future__ import annotations

import ast
import contextlib
import importlib
import inspect
import io
import math
import os
import re
from pathlib import Path

import huggingface_hub
import huggingface_hub.constants as hub_constants
import pytest
import timm
import timm.layers
import torch
import transformers
from timm.data import create_transform, resolve_model_data_config
from timm.models import _builder, _features, _hub, _registry
from timm.models import resnet as timm_resnet
from timm.models import vision_transformer as timm_vit
from torch import nn
from transformers import (
    AttentionInterface,
    AttentionMaskInterface,
    BertConfig,
    BertForMaskedLM,
    BertForPreTraining,
    BertForSequenceClassification,
    BertModel,
    CLIPConfig,
    PreTrainedModel,
    RobertaConfig,
    RobertaForMaskedLM,
    RobertaForSequenceClassification,
    RobertaModel,
)
from transformers.models.bert import modeling_bert as mb
from transformers.models.bert.tokenization_bert import BertTokenizer
from transformers.models.roberta import modeling_roberta as mr
from transformers.models.roberta.tokenization_roberta import RobertaTokenizer

from utils.gradcheck import F32_ATOL

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
GUIDE_HF = DOCS / "03_Reading_HuggingFace_Code.md"
GUIDE_TIMM = DOCS / "04_Reading_timm_Code.md"
GUIDES = (GUIDE_HF, GUIDE_TIMM)


# ---------------------------------------------------------------- 공용 도구
def definition_line(obj) -> str:
    """obj가 정의된 `패키지/경로.py:줄` (decorator가 있으면 그 아래의 class/def 줄)."""
    obj = inspect.unwrap(obj)
    path = Path(inspect.getsourcefile(obj))
    lines = path.read_text(encoding="utf-8").splitlines()
    index = inspect.getsourcelines(obj)[1] - 1
    while not lines[index].lstrip().startswith(("class ", "def ", "async def ")):
        index += 1
    package = importlib.import_module(obj.__module__.split(".")[0])
    return f"{path.relative_to(Path(package.__file__).parent.parent).as_posix()}:{index + 1}"


def source_line(reference: str) -> str:
    """`패키지/경로.py:줄`이 가리키는 설치된 파일의 그 줄."""
    path, line = reference.rsplit(":", 1)
    package, _, rest = path.partition("/")
    file = Path(importlib.import_module(package).__file__).parent / rest
    return file.read_text(encoding="utf-8").splitlines()[int(line) - 1]


LINE_REFERENCE = re.compile(r"`((?:transformers|huggingface_hub|timm)/[\w/]+\.py:\d+)`")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def line_references(guide: Path) -> set[str]:
    return set(LINE_REFERENCE.findall(guide.read_text(encoding="utf-8")))


def python_blocks(guide: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", guide.read_text(encoding="utf-8"), flags=re.S | re.M)


def check_lines(table: dict, guide: Path):
    """table: `경로:줄` → 그 줄에 정의된 객체를 돌려주는 함수, 또는 그 줄에 있어야 하는 코드 조각."""
    wrong = []
    for reference, expected in table.items():
        if callable(expected):
            found = definition_line(expected())
            if found != reference:
                wrong.append(f"{reference}: 정의가 {found}로 옮겨 갔다")
        elif expected not in source_line(reference):
            wrong.append(f"{reference}: {expected!r}가 그 줄에 없다 (지금: {source_line(reference).strip()!r})")
    assert not wrong, f"사실 바뀜: {guide.name}의 줄 번호가 설치된 소스와 다르다 — 안내서를 고칠 것: {wrong}"
    in_guide = line_references(guide)
    assert in_guide - set(table) == set(), \
        f"{guide.name}에 테스트가 확인하지 않는 줄 번호: {sorted(in_guide - set(table))}"
    assert set(table) - in_guide == set(), \
        f"테스트 표에 있지만 {guide.name}이 말하지 않는 줄: {sorted(set(table) - in_guide)}"


# ---------------------------------------------------------------- 두 안내서 공통: 링크, 코드 블록
@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_relative_links_resolve(guide):
    text = re.sub(r"```.*?```", "", guide.read_text(encoding="utf-8"), flags=re.S)
    targets = [t.split("#")[0] for t in LINK.findall(text) if not t.startswith(("http://", "https://", "mailto:", "#"))]
    assert targets, f"{guide.name}에 상대 링크가 없다"
    missing = [t for t in targets if not (guide.parent / t).exists()]
    assert not missing, f"{guide.name}의 깨진 링크: {missing}"


def test_hf_guide_links_every_chapter_analysis_guide():
    text = GUIDE_HF.read_text(encoding="utf-8")
    for chapter in ("08_BERT", "09_GPT", "10_ViT", "12_CLIP"):
        assert f"(../{chapter}/analysis/README.md)" in text, f"docs/03이 {chapter}의 analysis 안내서를 링크하지 않는다"
    text = GUIDE_TIMM.read_text(encoding="utf-8")
    for chapter in ("05_ResNet", "10_ViT"):
        assert f"(../{chapter}/analysis/README.md)" in text, f"docs/04가 {chapter}의 analysis 안내서를 링크하지 않는다"


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_top_line_names_the_connected_chapters(guide):
    first = [line for line in guide.read_text(encoding="utf-8").splitlines() if line.startswith(">")][0]
    chapters = {"03": ("08", "09", "10", "12"), "04": ("05", "10")}[guide.name[:2]]
    assert "이어지는 장" in first and all(c in first for c in chapters), \
        f"{guide.name} 첫 인용 줄이 이어지는 장을 말하지 않는다"


@pytest.fixture
def offline_and_clean_registries(monkeypatch):
    """코드 블록은 네트워크 없이 돌아야 한다: huggingface_hub의 offline 스위치를 켠다.

    블록이 등록한 attention 함수는 테스트가 끝나면 지운다.
    """
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)
    saved = {cls: dict(cls._global_mapping) for cls in (AttentionInterface, AttentionMaskInterface)}
    yield
    for cls, mapping in saved.items():
        cls._global_mapping.clear()
        cls._global_mapping.update(mapping)


SNIPPETS = [(guide, i) for guide in GUIDES for i in range(len(python_blocks(guide)))]


@pytest.mark.parametrize("guide, index", SNIPPETS, ids=[f"{g.name[:2]}-block{i + 1}" for g, i in SNIPPETS])
def test_code_block_runs_and_runs_again(guide, index, offline_and_clean_registries):
    """학습자는 같은 notebook·REPL에서 셀을 다시 돌린다: 두 번째 실행도 통과하고 같은 것을 보여야 한다."""
    code = compile(python_blocks(guide)[index], f"{guide.name}#python-block-{index + 1}", "exec")
    shown = []
    for _ in range(2):
        torch.manual_seed(0)
        with contextlib.redirect_stdout(io.StringIO()) as out:
            exec(code, {"__name__": "__guide__"})
        shown.append(out.getvalue())
    assert shown[0].strip(), f"{guide.name}의 코드 블록 {index + 1}이 아무것도 보여 주지 않는다"
    assert shown[1] == shown[0], f"{guide.name}의 코드 블록 {index + 1}을 다시 돌리면 다른 것을 보여 준다"


def test_every_guide_has_code_blocks():
    assert len(python_blocks(GUIDE_HF)) >= 5 and len(python_blocks(GUIDE_TIMM)) >= 5


# =====================================================================================
# docs/03: Hugging Face transformers
# =====================================================================================
TINY = dict(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
            max_position_embeddings=16)
MODELS = Path(transformers.__file__).parent / "models"


HF_LINES = {
    "transformers/configuration_utils.py:299": lambda: transformers.PreTrainedConfig,
    "transformers/configuration_utils.py:493":
        'self._attn_implementation: str | None = kwargs.pop("attn_implementation", None)',
    "transformers/modeling_utils.py:1068": lambda: PreTrainedModel,
    "transformers/modeling_utils.py:1242": lambda: PreTrainedModel.__init__,
    "transformers/modeling_utils.py:1258":
        "self.config._attn_implementation_internal = self._check_and_adjust_attn_implementation(",
    "transformers/modeling_utils.py:1289": lambda: PreTrainedModel.post_init,
    "transformers/modeling_utils.py:1339": "self.init_weights()",
    "transformers/modeling_utils.py:1710": lambda: PreTrainedModel._check_and_adjust_attn_implementation,
    "transformers/modeling_utils.py:1855": lambda: PreTrainedModel.get_correct_attn_implementation,
    "transformers/modeling_utils.py:1856":
        'applicable_attention = "sdpa" if requested_attention is None else requested_attention',
    "transformers/modeling_utils.py:1970": lambda: PreTrainedModel.set_attn_implementation,
    "transformers/modeling_utils.py:2304": lambda: PreTrainedModel._init_weights,
    "transformers/modeling_utils.py:3319": lambda: PreTrainedModel.save_pretrained,
    "transformers/modeling_utils.py:3903": lambda: PreTrainedModel.from_pretrained,
    "transformers/modeling_utils.py:5243": lambda: AttentionInterface,
    "transformers/modeling_utils.py:5283": "ALL_ATTENTION_FUNCTIONS: AttentionInterface = AttentionInterface()",
    "transformers/masking_utils.py:718": lambda: AttentionMaskInterface,
    "transformers/masking_utils.py:830":
        "if config._attn_implementation not in ALL_MASK_ATTENTION_FUNCTIONS._global_mapping:",
    "transformers/integrations/sdpa_attention.py:94":
        lambda: importlib.import_module("transformers.integrations.sdpa_attention").sdpa_attention_forward,
    "transformers/integrations/sdpa_attention.py:112": "`sdpa` attention does not support `output_attentions=True`.",
    "transformers/utils/hub.py:315": lambda: importlib.import_module("transformers.utils.hub").cached_file,
    "transformers/utils/hub.py:375": lambda: importlib.import_module("transformers.utils.hub").cached_files,
    "transformers/utils/hub.py:453": "if is_offline_mode() and not local_files_only:",
    "transformers/utils/output_capturing.py:153": "module.register_forward_hook(output_capturing_hook)",
    "transformers/utils/output_capturing.py:310":
        lambda: importlib.import_module("transformers.utils.output_capturing").capture_outputs,
    "huggingface_hub/constants.py:169": 'default_cache_path = os.path.join(HF_HOME, "hub")',
    "huggingface_hub/constants.py:194":
        'HF_HUB_OFFLINE = _is_true(os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE"))',
    "huggingface_hub/file_download.py:747":
        lambda: importlib.import_module("huggingface_hub.file_download").repo_folder_name,
    "transformers/models/bert/configuration_bert.py:25": lambda: BertConfig,
    "transformers/models/bert/modeling_bert.py:60":
        "self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size)",
    "transformers/models/bert/modeling_bert.py:85":
        "position_ids = self.position_ids[:, cache_length : seq_length + cache_length]",
    "transformers/models/bert/modeling_bert.py:112": lambda: mb.eager_attention_forward,
    "transformers/models/bert/modeling_bert.py:166": lambda: mb.BertSelfAttention.forward,
    "transformers/models/bert/modeling_bert.py:190":
        "attention_interface: Callable = ALL_ATTENTION_FUNCTIONS.get_interface(",
    "transformers/models/bert/modeling_bert.py:470": lambda: mb.BertPredictionHeadTransform,
    "transformers/models/bert/modeling_bert.py:536": lambda: mb.BertPreTrainedModel,
    "transformers/models/bert/modeling_bert.py:731": lambda: BertForPreTraining,
    "transformers/models/bert/modeling_bert.py:1070": lambda: BertForSequenceClassification,
    "transformers/models/bert/tokenization_bert.py:41": lambda: BertTokenizer,
    "transformers/models/gpt2/modeling_gpt2.py:315":
        "# Copied from transformers.models.xlm.modeling_xlm.XLMSequenceSummary with XLM->GPT2",
    "transformers/models/roberta/modeling_roberta.py:2":
        "This file was automatically generated from src/transformers/models/roberta/modular_roberta.py.",
    "transformers/models/roberta/modeling_roberta.py:72": "self.position_embeddings = nn.Embedding(",
    "transformers/models/roberta/modeling_roberta.py:141":
        lambda: mr.RobertaEmbeddings.create_position_ids_from_input_ids,
    "transformers/models/roberta/modeling_roberta.py:153":
        "incremental_indices = (torch.cumsum(mask, dim=1).type_as(mask) + cache_length) * mask",
    "transformers/models/roberta/modeling_roberta.py:185": lambda: mr.RobertaSelfAttention,
    "transformers/models/roberta/modeling_roberta.py:875": lambda: mr.RobertaLMHead,
    "transformers/models/roberta/modeling_roberta.py:888": "x = gelu(x)",
    "transformers/models/roberta/modeling_roberta.py:909":
        "self.roberta = RobertaModel(config, add_pooling_layer=False)",
    "transformers/models/roberta/modeling_roberta.py:1145": lambda: mr.RobertaClassificationHead,
    "transformers/models/roberta/modeling_roberta.py:1158": "x = features[:, 0, :]",
    "transformers/models/roberta/modular_roberta.py:45":
        lambda: importlib.import_module("transformers.models.roberta.modular_roberta").RobertaEmbeddings,
    "transformers/models/roberta/modular_roberta.py:151":
        lambda: importlib.import_module("transformers.models.roberta.modular_roberta").RobertaPreTrainedModel,
    "transformers/models/roberta/modular_roberta.py:138":
        lambda: importlib.import_module("transformers.models.roberta.modular_roberta").RobertaSelfAttention,
    "transformers/models/roberta/modular_roberta.py:175":
        lambda: importlib.import_module("transformers.models.roberta.modular_roberta").RobertaModel,
    "transformers/models/roberta/tokenization_roberta.py:28": lambda: RobertaTokenizer,
}


def test_hf_guide_names_the_installed_versions():
    text = GUIDE_HF.read_text(encoding="utf-8")
    for name, version in (("transformers", transformers.__version__), ("huggingface_hub", huggingface_hub.__version__),
                          ("torch", torch.__version__.split("+")[0])):
        assert f"{name} {version}" in text, \
            (f"사실 바뀜: 설치된 {name}는 {version}인데 docs/03이 그 버전을 "
             "읽었다고 말하지 않는다 — 줄 번호와 사실을 다시 확인할 것")


def test_hf_line_numbers():
    check_lines(HF_LINES, GUIDE_HF)


def test_hf_model_folder_layout():
    def files(model):
        return {p.name for p in (MODELS / model).glob("*.py")}
    expected = {"bert": ({"configuration_bert.py", "modeling_bert.py", "tokenization_bert.py"},
                         {"modular_bert.py", "image_processing_bert.py"}),
                "roberta": ({"configuration_roberta.py", "modeling_roberta.py", "tokenization_roberta.py",
                             "modular_roberta.py"}, {"image_processing_roberta.py"}),
                "gpt2": ({"configuration_gpt2.py", "modeling_gpt2.py", "tokenization_gpt2.py"},
                         {"modular_gpt2.py", "image_processing_gpt2.py"}),
                "vit": ({"configuration_vit.py", "modeling_vit.py", "image_processing_vit.py"},
                        {"tokenization_vit.py", "modular_vit.py"})}
    for model, (present, absent) in expected.items():
        assert present <= files(model), f"사실 바뀜: models/{model}/에 {sorted(present - files(model))}가 없다"
        assert not absent & files(model), f"사실 바뀜: models/{model}/에 {sorted(absent & files(model))}가 생겼다"


def test_hf_config_class_and_alias():
    assert transformers.PretrainedConfig is transformers.PreTrainedConfig, \
        "사실 바뀜: PretrainedConfig가 더 이상 PreTrainedConfig의 별칭이 아니다"
    assert issubclass(BertConfig, transformers.PreTrainedConfig)


def test_hf_config_defaults_table():
    bert, roberta = BertConfig(), RobertaConfig()
    shared = {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
              "max_position_embeddings": 512, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu"}
    for name, value in shared.items():
        assert getattr(bert, name) == value, f"사실 바뀜: BertConfig().{name} 기본값이 {value!r}가 아니다"
        assert getattr(roberta, name) == value, f"사실 바뀜: RobertaConfig().{name} 기본값이 {value!r}가 아니다"
    for config, facts in ((bert, dict(vocab_size=30522, pad_token_id=0, bos_token_id=None, eos_token_id=None)),
                          (roberta, dict(vocab_size=50265, pad_token_id=1, bos_token_id=0, eos_token_id=2))):
        for name, value in facts.items():
            assert getattr(config, name) == value, \
                f"사실 바뀜: {type(config).__name__}().{name} 기본값이 {value!r}가 아니다"
    assert "hidden_size: int = 768" in inspect.getsource(BertConfig), \
        "사실 바뀜: BertConfig가 타입 붙은 class 속성으로 기본값을 적지 않는다"


def test_hf_auto_mappings():
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES
    from transformers.models.auto.modeling_auto import MODEL_FOR_MASKED_LM_MAPPING_NAMES, MODEL_MAPPING_NAMES

    tables = (CONFIG_MAPPING_NAMES, MODEL_MAPPING_NAMES, MODEL_FOR_MASKED_LM_MAPPING_NAMES)
    names = [table["roberta"] for table in tables]
    assert names == ["RobertaConfig", "RobertaModel", "RobertaForMaskedLM"], "사실 바뀜: model_type 'roberta'의 Auto 표"


def test_hf_pretrained_model_class_attributes():
    cls = mb.BertPreTrainedModel
    assert cls.base_model_prefix == "bert", "사실 바뀜: BertPreTrainedModel.base_model_prefix"
    assert inspect.get_annotations(cls)["config"] is BertConfig, "사실 바뀜: BertPreTrainedModel의 config annotation"
    assert cls._supports_sdpa and cls._supports_flash_attn and cls._supports_flex_attn, \
        "사실 바뀜: BERT의 _supports_* 표시"
    assert cls._can_record_outputs["hidden_states"] is mb.BertLayer, "사실 바뀜: _can_record_outputs['hidden_states']"
    assert cls._can_record_outputs["attentions"] is mb.BertSelfAttention, "사실 바뀜: _can_record_outputs['attentions']"
    model = BertForMaskedLM(BertConfig(**TINY))
    assert isinstance(model.bert, BertModel), \
        "사실 바뀜: task head class 안의 본체가 .bert (base_model_prefix)가 아니다"
    assert "self.post_init()" in inspect.getsource(BertModel.__init__), \
        "사실 바뀜: BertModel.__init__이 post_init을 부르지 않는다"


def test_hf_init_weights_rules():
    torch.manual_seed(0)
    model = BertModel(BertConfig(vocab_size=400, hidden_size=256, num_hidden_layers=1, num_attention_heads=4,
                                 intermediate_size=512, max_position_embeddings=64))
    query = model.encoder.layer[0].attention.self.query
    assert abs(query.weight.std().item() - 0.02) < 0.02 * 0.05, \
        "사실 바뀜: Linear weight가 N(0, initializer_range)가 아니다"
    assert query.bias.abs().max() == 0, "사실 바뀜: Linear bias가 0으로 초기화되지 않는다"
    norm = model.embeddings.LayerNorm
    assert torch.all(norm.weight == 1) and torch.all(norm.bias == 0), "사실 바뀜: LayerNorm이 1/0으로 초기화되지 않는다"
    words = model.embeddings.word_embeddings
    assert words.padding_idx == 0 and words.weight[0].abs().max() == 0, \
        "사실 바뀜: Embedding의 padding_idx 행이 0이 아니다"
    assert abs(words.weight[1:].std().item() - 0.02) < 0.02 * 0.05, \
        "사실 바뀜: Embedding이 N(0, initializer_range)가 아니다"


def test_hf_save_pretrained_and_cache_facts(tmp_path):
    BertModel(BertConfig(**TINY)).save_pretrained(tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["config.json", "model.safetensors"], \
        "사실 바뀜: save_pretrained가 쓰는 파일"
    overridden = any(os.environ.get(name) for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"))
    if not overridden:
        assert hub_constants.HF_HUB_CACHE == os.path.join(hub_constants.HF_HOME, "hub"), \
            "사실 바뀜: Hub cache가 HF_HOME/hub가 아니다"
    if not os.environ.get("HF_HOME") and not os.environ.get("XDG_CACHE_HOME"):
        assert hub_constants.HF_HOME == os.path.expanduser("~/.cache/huggingface"), "사실 바뀜: HF_HOME 기본값"
    from huggingface_hub.file_download import repo_folder_name

    assert repo_folder_name(repo_id="google-bert/bert-base-uncased", repo_type="model") \
        == "models--google-bert--bert-base-uncased", "사실 바뀜: cache 폴더 이름 규칙"


def test_hf_offline_switch_is_read_at_call_time_from_the_hub_constants(monkeypatch):
    from transformers.utils.hub import is_offline_mode

    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)
    assert is_offline_mode(), \
        "사실 바뀜: transformers의 is_offline_mode가 huggingface_hub.constants.HF_HUB_OFFLINE을 읽지 않는다"
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)
    assert not is_offline_mode()


def test_hf_attention_registries():
    from transformers.masking_utils import ALL_MASK_ATTENTION_FUNCTIONS, eager_mask, sdpa_mask
    from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS

    keys = set(ALL_ATTENTION_FUNCTIONS.valid_keys())
    assert {"sdpa", "flash_attention_2", "flex_attention"} <= keys, f"사실 바뀜: attention 표의 이름들: {sorted(keys)}"
    assert "eager" not in keys, "사실 바뀜: 'eager'가 ALL_ATTENTION_FUNCTIONS 표에 들어갔다"
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    assert ALL_ATTENTION_FUNCTIONS["sdpa"] is sdpa_attention_forward
    assert ALL_MASK_ATTENTION_FUNCTIONS["sdpa"] is sdpa_mask and ALL_MASK_ATTENTION_FUNCTIONS["eager"] is eager_mask, \
        "사실 바뀜: mask 표의 sdpa/eager 함수"


def test_hf_attention_selection():
    assert BertModel(BertConfig(**TINY)).config._attn_implementation == "sdpa", \
        "사실 바뀜: 요청이 없을 때 sdpa가 골라지지 않는다"
    assert BertModel(BertConfig(**TINY, attn_implementation="eager")).config._attn_implementation == "eager"
    with pytest.raises(ValueError, match="not supported"):
        BertModel(BertConfig(**TINY, attn_implementation="no_such_attention"))
    torch.manual_seed(0)
    sdpa = BertModel(BertConfig(**TINY)).eval()
    with torch.no_grad():
        out = sdpa(torch.tensor([[2, 7, 9]]), output_attentions=True)
    assert not out.attentions, "사실 바뀜: sdpa 모델이 output_attentions=True에 attention 확률을 돌려준다"
    eager = BertModel(BertConfig(**TINY, attn_implementation="eager")).eval()
    with torch.no_grad():
        out = eager(torch.tensor([[2, 7, 9]]), output_attentions=True, output_hidden_states=True)
    assert len(out.attentions) == 2 and out.attentions[0].shape == (1, 4, 3, 3), "사실 바뀜: eager의 attentions 모양"
    assert len(out.hidden_states) == 2 + 1, "사실 바뀜: hidden_states가 embedding 출력 + 층마다 하나가 아니다"


def test_hf_modular_roberta_pass_classes_expand_to_bert_source():
    modular = (MODELS / "roberta" / "modular_roberta.py").read_text(encoding="utf-8")
    classes = {node.name: node for node in ast.parse(modular).body if isinstance(node, ast.ClassDef)}
    empty = {name for name, node in classes.items() if len(node.body) == 1 and isinstance(node.body[0], ast.Pass)}
    assert {"RobertaSelfAttention", "RobertaLayer"} <= empty, \
        f"사실 바뀜: modular_roberta.py에서 본문이 pass인 class: {sorted(empty)}"
    assert not {"RobertaEmbeddings", "RobertaPreTrainedModel", "RobertaLMHead"} & empty, \
        "사실 바뀜: modular_roberta.py에서 BERT와 다른 class의 본문이 비었다"
    assert [b.id for b in classes["RobertaSelfAttention"].bases] == ["BertSelfAttention"]
    model = classes["RobertaModel"]
    init = model.body[0] if len(model.body) == 1 else None
    only_init = isinstance(init, ast.FunctionDef) and init.name == "__init__" and len(init.body) == 1
    calls_super = only_init and "super().__init__" in ast.unparse(init.body[0])
    assert [b.id for b in model.bases] == ["BertModel"] and calls_super, \
        "사실 바뀜: modular_roberta.py의 RobertaModel이 __init__ signature만 다시 적는 BertModel 상속이 아니다"
    for name in ("SelfAttention", "Layer", "Model", "Encoder", "Attention"):
        bert = inspect.getsource(getattr(mb, "Bert" + name)).replace("bert", "roberta").replace("Bert", "Roberta")
        assert bert == inspect.getsource(getattr(mr, "Roberta" + name)), \
            f"사실 바뀜: modeling_roberta.py의 Roberta{name}이 Bert{name}의 이름만 바꾼 소스가 아니다"


def test_roberta_has_no_next_sentence_prediction():
    assert not hasattr(transformers, "RobertaForPreTraining"), "사실 바뀜: RobertaForPreTraining이 생겼다"
    assert not hasattr(transformers, "RobertaForNextSentencePrediction"), \
        "사실 바뀜: RobertaForNextSentencePrediction이 생겼다"
    seq = BertForPreTraining(BertConfig(**TINY)).cls.seq_relationship
    assert isinstance(seq, nn.Linear) and (seq.in_features, seq.out_features) == (32, 2), \
        "사실 바뀜: BertForPreTraining의 NSP head가 Linear(H, 2)가 아니다"


def test_roberta_position_embedding_has_a_padding_row():
    torch.manual_seed(0)
    bert, roberta = BertModel(BertConfig(**TINY)), RobertaModel(RobertaConfig(**TINY))
    assert bert.embeddings.position_embeddings.padding_idx is None, \
        "사실 바뀜: BERT position embedding에 padding_idx가 생겼다"
    table = roberta.embeddings.position_embeddings
    assert table.padding_idx == 1, "사실 바뀜: RoBERTa position embedding의 padding_idx가 pad_token_id(1)가 아니다"
    assert table.weight[1].abs().max() == 0, \
        "사실 바뀜: RoBERTa position embedding의 padding 행이 0으로 초기화되지 않는다"
    out = roberta(torch.tensor([[0, 5, 2, 1]])).last_hidden_state
    (out * torch.randn_like(out)).sum().backward()        # LayerNorm 출력의 단순 합은 gradient가 0이라 무작위 방향으로
    assert table.weight.grad[1].abs().max() == 0 and table.weight.grad[2].abs().max() > 0, \
        "사실 바뀜: padding 행이 gradient를 받는다"
    ids = torch.tensor([[0, 11, 2, 1]])
    positions = mr.RobertaEmbeddings.create_position_ids_from_input_ids(ids, padding_idx=1)
    assert positions.tolist() == [[2, 3, 4, 1]], "사실 바뀜: RoBERTa position id가 padding_idx + 1부터 세지 않는다"
    assert bert.embeddings.position_ids[0, :4].tolist() == [0, 1, 2, 3], "사실 바뀜: BERT position id가 0부터가 아니다"


def test_roberta_heads_differ_from_bert_heads():
    config = dict(TINY, hidden_act="relu")
    torch.manual_seed(0)
    roberta, bert = RobertaForMaskedLM(RobertaConfig(**config)).eval(), BertForMaskedLM(BertConfig(**config)).eval()
    assert sorted(k for k in roberta.state_dict() if k.startswith("lm_head.")) == [
        "lm_head.bias", "lm_head.decoder.bias", "lm_head.decoder.weight", "lm_head.dense.bias", "lm_head.dense.weight",
        "lm_head.layer_norm.bias", "lm_head.layer_norm.weight"], "사실 바뀜: RobertaLMHead의 key"
    assert "cls.predictions.transform.dense.weight" in bert.state_dict(), "사실 바뀜: BERT MLM head의 key"
    h = torch.randn(1, 3, 32)
    head = roberta.lm_head
    with torch.no_grad():
        gelu = head.decoder(head.layer_norm(torch.nn.functional.gelu(head.dense(h))))
        assert (head(h) - gelu).abs().max() <= F32_ATOL, \
            "사실 바뀜: RobertaLMHead가 hidden_act와 상관없이 gelu를 쓰지 않는다"
        transform = bert.cls.predictions.transform
        relu = transform.LayerNorm(torch.relu(transform.dense(h)))
        assert (transform(h) - relu).abs().max() <= F32_ATOL, \
            "사실 바뀜: BertPredictionHeadTransform이 hidden_act를 따르지 않는다"
    classifier = RobertaForSequenceClassification(RobertaConfig(**TINY)).eval()
    assert classifier.roberta.pooler is None, "사실 바뀜: RoBERTa 분류 모델에 pooler가 생겼다"
    assert BertForSequenceClassification(BertConfig(**TINY)).bert.pooler is not None
    features = torch.randn(2, 5, 32)
    c = classifier.classifier
    with torch.no_grad():
        expected = c.out_proj(torch.tanh(c.dense(features[:, 0])))
        assert (c(features) - expected).abs().max() <= F32_ATOL, \
            "사실 바뀜: RobertaClassificationHead가 <s>의 dense→tanh→out_proj가 아니다"


def test_tokenizer_algorithms():
    from tokenizers.models import BPE, WordPiece

    assert BertTokenizer.model is WordPiece, "사실 바뀜: BertTokenizer가 WordPiece가 아니다"
    assert RobertaTokenizer.model is BPE, "사실 바뀜: RobertaTokenizer가 BPE가 아니다"
    assert "ByteLevel" in inspect.getsource(RobertaTokenizer), "사실 바뀜: RobertaTokenizer가 byte-level이 아니다"


def test_clip_is_a_composite_config():
    config = CLIPConfig()
    kinds = (type(config.text_config).__name__, type(config.vision_config).__name__)
    assert kinds == ("CLIPTextConfig", "CLIPVisionConfig"), \
        "사실 바뀜: CLIPConfig가 text_config와 vision_config를 묶지 않는다"


# =====================================================================================
# docs/04: timm
# =====================================================================================

TIMM_LINES = {
    "timm/models/_factory.py:28": lambda: timm.models.parse_model_name,
    "timm/models/_factory.py:162": lambda: timm.create_model,
    "timm/models/_registry.py:53": lambda: _registry.generate_default_cfgs,
    "timm/models/_registry.py:114": lambda: _registry.register_model,
    "timm/models/_registry.py:147": "_model_entrypoints[model_name] = fn",
    "timm/models/_registry.py:254": lambda: timm.list_models,
    "timm/models/_registry.py:329": lambda: timm.list_pretrained,
    "timm/models/_registry.py:363": lambda: timm.is_model,
    "timm/models/_builder.py:47": lambda: _builder._resolve_pretrained_source,
    "timm/models/_builder.py:158": lambda: _builder.load_pretrained,
    "timm/models/_builder.py:304": "if num_classes != pretrained_cfg['num_classes']:",
    "timm/models/_builder.py:427": lambda: _builder.build_model_with_cfg,
    "timm/models/_builder.py:480": "if kwargs.pop('features_only', False):",
    "timm/models/_builder.py:493": "model.pretrained_cfg = pretrained_cfg",
    "timm/models/_builder.py:516": "feature_cls = feature_cfg.pop('feature_cls', FeatureListNet)",
    "timm/models/_pretrained.py:11": lambda: timm.models.PretrainedCfg,
    "timm/models/_features.py:322": lambda: _features.FeatureListNet,
    "timm/models/_features.py:445": lambda: _features.FeatureGetterNet,
    "timm/models/_hub.py:230": lambda: _hub.load_state_dict_from_hf,
    "timm/data/config.py:8": lambda: timm.data.resolve_data_config,
    "timm/data/config.py:103": lambda: resolve_model_data_config,
    "timm/data/transforms_factory.py:273": lambda: timm.data.transforms_factory.transforms_imagenet_eval,
    "timm/data/transforms_factory.py:319": "scale_size = math.floor(img_size / crop_pct)",
    "timm/data/transforms_factory.py:387": lambda: create_transform,
    "timm/layers/patch_embed.py:26": lambda: timm.layers.PatchEmbed,
    "timm/layers/attention.py:43": lambda: timm.layers.Attention,
    "timm/layers/attention.py:100": "self.fused_attn = use_fused_attn()",
    "timm/layers/attention.py:123": "if self.fused_attn:",
    "timm/layers/mlp.py:14": lambda: timm.layers.Mlp,
    "timm/layers/norm.py:70": lambda: timm.layers.LayerNorm,
    "timm/layers/drop.py:178": lambda: timm.layers.DropPath,
    "timm/layers/classifier.py:48": lambda: timm.layers.create_classifier,
    "timm/layers/adaptive_avgmax_pool.py:124": lambda: timm.layers.SelectAdaptivePool2d,
    "timm/layers/weight_init.py:54": lambda: timm.layers.trunc_normal_,
    "timm/layers/create_act.py:110": lambda: timm.layers.get_act_layer,
    "timm/layers/pos_embed.py:20": lambda: timm.layers.resample_abs_pos_embed,
    "timm/layers/config.py:33": "_USE_FUSED_ATTN = int(os.environ['TIMM_FUSED_ATTN'])",
    "timm/layers/config.py:146": lambda: timm.layers.set_fused_attn,
    "timm/models/resnet.py:169": lambda: timm_resnet.Bottleneck,
    "timm/models/resnet.py:363": lambda: timm_resnet.make_blocks,
    "timm/models/resnet.py:452": lambda: timm_resnet.ResNet,
    "timm/models/resnet.py:484": lambda: timm_resnet.ResNet.__init__,
    "timm/models/resnet.py:675": lambda: timm_resnet.ResNet.reset_classifier,
    "timm/models/resnet.py:691": lambda: timm_resnet.ResNet.forward_intermediates,
    "timm/models/resnet.py:775": lambda: timm_resnet.ResNet.forward_features,
    "timm/models/resnet.py:791": lambda: timm_resnet.ResNet.forward_head,
    "timm/models/resnet.py:813": lambda: timm_resnet._create_resnet,
    "timm/models/resnet.py:1586": lambda: timm_resnet.resnet50,
    "timm/models/vision_transformer.py:166": lambda: timm_vit.Block,
    "timm/models/vision_transformer.py:749": lambda: timm_vit.VisionTransformer,
    "timm/models/vision_transformer.py:757": lambda: timm_vit.VisionTransformer.__init__,
    "timm/models/vision_transformer.py:1036": lambda: timm_vit.VisionTransformer.reset_classifier,
    "timm/models/vision_transformer.py:1088": lambda: timm_vit.VisionTransformer._pos_embed,
    "timm/models/vision_transformer.py:1127": lambda: timm_vit.VisionTransformer.forward_intermediates,
    "timm/models/vision_transformer.py:1281": lambda: timm_vit.VisionTransformer.forward_features,
    "timm/models/vision_transformer.py:1329": lambda: timm_vit.VisionTransformer.forward_head,
    "timm/models/vision_transformer.py:1344": lambda: timm_vit.VisionTransformer.forward,
    "timm/models/vision_transformer.py:3404": "feature_cfg=dict(out_indices=out_indices, feature_cls='getter'),",
}


def tiny_vit(**kwargs):
    return timm.create_model("vit_tiny_patch16_224", img_size=32, patch_size=8, depth=2, **kwargs).eval()


def test_timm_guide_names_the_installed_versions():
    text = GUIDE_TIMM.read_text(encoding="utf-8")
    for name, version in (("timm", timm.__version__), ("torch", torch.__version__.split("+")[0])):
        assert f"{name} {version}" in text, \
            (f"사실 바뀜: 설치된 {name}는 {version}인데 docs/04가 그 버전을 "
             "읽었다고 말하지 않는다 — 줄 번호와 사실을 다시 확인할 것")


def test_timm_line_numbers():
    check_lines(TIMM_LINES, GUIDE_TIMM)


def test_timm_registry_names_and_tags():
    assert timm.list_models("resnet1*")[:4] == ["resnet10t", "resnet14t", "resnet18", "resnet18d"], \
        "사실 바뀜: list_models('resnet1*')의 처음 네 이름"
    tagged = timm.list_models("resnet50*", pretrained=True)
    assert tagged[:3] == ["resnet50.a1_in1k", "resnet50.a1h_in1k", "resnet50.a2_in1k"], \
        "사실 바뀜: list_models(pretrained=True)가 tag를 붙인 이름을 돌려주지 않는다"
    assert timm.list_pretrained("resnet50*") == tagged, \
        "사실 바뀜: list_pretrained와 list_models(pretrained=True)가 다르다"
    assert timm.is_model("resnet50.no_such_tag"), "사실 바뀜: is_model이 tag를 확인하기 시작했다"
    assert not timm.is_model("resnet5")
    with pytest.raises(RuntimeError, match="Unknown model"):
        timm.create_model("resnet5")
    with pytest.raises(RuntimeError, match="Invalid pretrained tag"):
        timm.create_model("resnet50.no_such_tag")
    defaults = (("resnet50", "a1_in1k"), ("resnet18", "a1_in1k"), ("vit_base_patch16_224", "augreg2_in21k_ft_in1k"))
    for arch, tag in defaults:
        assert timm.models.get_pretrained_cfg(arch).tag == tag, \
            f"사실 바뀜: {arch}의 기본 pretrained tag가 {tag}가 아니다"


def test_timm_entrypoint_and_builder():
    assert _registry._model_entrypoints["resnet50"] is timm_resnet.resnet50, \
        "사실 바뀜: registry가 함수 이름 → 함수 표가 아니다"
    model = timm.create_model("resnet50", num_classes=7, global_pool=None)
    assert isinstance(model, timm_resnet.ResNet) and isinstance(model.layer1[0], timm_resnet.Bottleneck)
    assert [len(getattr(model, f"layer{i}")) for i in range(1, 5)] == [3, 4, 6, 3], "사실 바뀜: resnet50의 layers"
    assert model.global_pool.pool_type == "avg", \
        "사실 바뀜: create_model이 None인 kwargs를 지우지 않는다 (기본 global_pool)"
    assert model.get_classifier().out_features == 7
    assert model.pretrained_cfg["architecture"] == "resnet50" and model.default_cfg is model.pretrained_cfg, \
        "사실 바뀜: build_model_with_cfg가 pretrained_cfg(별칭 default_cfg)를 붙이지 않는다"


def test_timm_pretrained_cfg_table():
    expected = {
        "resnet18.a1_in1k":
            dict(hf_hub_id="timm/resnet18.a1_in1k", mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
                                 interpolation="bicubic", crop_pct=0.95, test_input_size=(3, 288, 288),
                                 first_conv="conv1", classifier="fc"),
        "resnet50.tv_in1k":
            dict(hf_hub_id="timm/resnet50.tv_in1k", mean=(0.485, 0.456, 0.406), interpolation="bilinear",
                                 crop_pct=0.875, test_input_size=None, first_conv="conv1", classifier="fc"),
        "vit_base_patch16_224.augreg2_in21k_ft_in1k": dict(
            hf_hub_id="timm/vit_base_patch16_224.augreg2_in21k_ft_in1k", mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5),
            interpolation="bicubic", crop_pct=0.9, test_input_size=None, first_conv="patch_embed.proj",
            classifier="head"),
    }
    for name, facts in expected.items():
        cfg = timm.models.get_pretrained_cfg(name).to_dict()
        for key, value in facts.items():
            assert cfg.get(key) == value, \
                f"사실 바뀜: {name}의 pretrained_cfg['{key}']가 {value!r}가 아니다 ({cfg.get(key)!r})"


def test_timm_pretrained_source_order_and_hub_download():
    everything = dict(state_dict={"w": 1}, file="weights.pth", hf_hub_id="timm/x", url="https://example.invalid/x.pth")
    assert _builder._resolve_pretrained_source(everything)[0] == "state_dict", \
        "사실 바뀜: state_dict가 가장 먼저가 아니다"
    everything.pop("state_dict")
    assert _builder._resolve_pretrained_source(everything) == ("file", "weights.pth"), \
        "사실 바뀜: file이 Hub보다 먼저가 아니다"
    everything.pop("file")
    assert _builder._resolve_pretrained_source(everything) == ("hf-hub", "timm/x"), \
        "사실 바뀜: Hub가 url보다 먼저가 아니다"
    assert "hf_hub_download(" in inspect.getsource(_hub.load_state_dict_from_hf), \
        "사실 바뀜: timm이 huggingface_hub.hf_hub_download로 내려받지 않는다 (cache·offline 설명이 틀린다)"


def test_timm_data_config_and_transform():
    model = timm.create_model("resnet18")
    config = resolve_model_data_config(model)
    assert config == {"input_size": (3, 224, 224), "interpolation": "bicubic", "mean": (0.485, 0.456, 0.406),
                      "std": (0.229, 0.224, 0.225), "crop_pct": 0.95, "crop_mode": "center"}, \
        f"사실 바뀜: resnet18의 data config: {config}"
    assert timm.data.resolve_data_config({}, model=model) == config, \
        "사실 바뀜: resolve_data_config({}, model=…)가 같은 dict가 아니다"
    test_size = resolve_model_data_config(model, use_test_size=True)
    assert test_size["input_size"] == (3, 288, 288) and test_size["crop_pct"] == 1.0, "사실 바뀜: use_test_size"
    evaluate = create_transform(**config)
    names = [type(step).__name__ for step in evaluate.transforms]
    assert names == ["Resize", "CenterCrop", "MaybeToTensor", "Normalize"], f"사실 바뀜: 평가 transform 순서 {names}"
    assert evaluate.transforms[0].size == math.floor(224 / 0.95) == 235, \
        "사실 바뀜: resize 크기가 floor(224 / crop_pct)가 아니다"
    train = [type(step).__name__ for step in create_transform(**config, is_training=True).transforms]
    assert train[:2] == ["RandomResizedCropAndInterpolation", "RandomHorizontalFlip"], \
        f"사실 바뀜: 학습 transform {train}"


def test_timm_layers_facts():
    assert timm.layers.LayerNorm(8).eps == 1e-6, "사실 바뀜: timm LayerNorm의 기본 eps가 1e-6이 아니다"
    assert nn.LayerNorm(8).eps == 1e-5 and transformers.ViTConfig().layer_norm_eps == 1e-12, \
        "사실 바뀜: 비교한 LayerNorm eps (PyTorch 1e-5, HF ViTConfig 1e-12)"
    vit = tiny_vit()
    proj = vit.patch_embed.proj
    assert isinstance(vit.patch_embed, timm.layers.PatchEmbed) and proj.kernel_size == proj.stride == (8, 8), \
        "사실 바뀜: PatchEmbed가 kernel = stride = P인 Conv2d가 아니다"
    block = vit.blocks[0]
    assert isinstance(block.attn, timm.layers.Attention) and isinstance(block.mlp, timm.layers.Mlp)
    assert isinstance(block.norm1, timm.layers.LayerNorm) and block.norm1.eps == 1e-6
    if "TIMM_FUSED_ATTN" not in os.environ:
        assert block.attn.fused_attn, "사실 바뀜: timm Attention의 fused_attn 기본값이 켜짐이 아니다"
    before = timm.layers.use_fused_attn()
    try:
        timm.layers.set_fused_attn(False)
        assert not tiny_vit().blocks[0].attn.fused_attn, "사실 바뀜: set_fused_attn(False)가 새 모델에 적용되지 않는다"
    finally:
        timm.layers.set_fused_attn(before)
    resnet = timm.create_model("resnet18")
    assert isinstance(resnet.global_pool, timm.layers.SelectAdaptivePool2d), "사실 바뀜: ResNet의 global_pool class"


def test_timm_common_interface():
    torch.manual_seed(0)
    vit, resnet = tiny_vit(num_classes=10), timm.create_model("resnet18", num_classes=10).eval()
    cases = ((vit, torch.randn(1, 3, 32, 32), "head", 192), (resnet, torch.randn(1, 3, 64, 64), "fc", 512))
    for model, x, head, features in cases:
        name = type(model).__name__
        with torch.no_grad():
            assert torch.equal(model(x), model.forward_head(model.forward_features(x))), \
                f"사실 바뀜: {name}.forward가 forward_head(forward_features(x))가 아니다"
            assert model.forward_head(model.forward_features(x), pre_logits=True).shape == (1, features)
        assert model.num_features == features and model.get_classifier() is getattr(model, head), \
            f"사실 바뀜: {name}의 num_features / get_classifier"
        model.reset_classifier(3)
        assert getattr(model, head).out_features == 3, f"사실 바뀜: {name}.reset_classifier"
    with torch.no_grad():
        assert vit.forward_features(torch.randn(1, 3, 32, 32)).shape == (1, 17, 192), \
            "사실 바뀜: ViT forward_features 모양"
        assert resnet.forward_features(torch.randn(1, 3, 64, 64)).shape == (1, 512, 2, 2)
    assert [(f["module"], f["reduction"]) for f in resnet.feature_info] == [
        ("act1", 2), ("layer1", 4), ("layer2", 8), ("layer3", 16), ("layer4", 32)], "사실 바뀜: ResNet feature_info"
    assert [f["reduction"] for f in vit.feature_info] == [8, 8], \
        "사실 바뀜: ViT feature_info의 reduction이 patch 크기가 아니다"


def test_timm_features_only_and_intermediates():
    resnet = timm.create_model("resnet18", features_only=True)
    assert type(resnet) is _features.FeatureListNet, \
        "사실 바뀜: ResNet features_only의 기본 wrapper가 FeatureListNet이 아니다"
    assert resnet.feature_info.module_name() == ["act1", "layer1", "layer2", "layer3", "layer4"]
    vit = timm.create_model("vit_tiny_patch16_224", img_size=32, patch_size=8, depth=3, features_only=True)
    assert type(vit) is _features.FeatureGetterNet, "사실 바뀜: ViT features_only가 FeatureGetterNet이 아니다"
    assert vit.feature_info.channels() == [192, 192, 192] and vit.feature_info.reduction() == [8, 8, 8]
    for cls in (timm_vit.VisionTransformer, timm_resnet.ResNet):
        defaults = {k: p.default for k, p in inspect.signature(cls.forward_intermediates).parameters.items()}
        assert (defaults["indices"], defaults["output_fmt"], defaults["intermediates_only"]) == (None, "NCHW", False), \
            f"사실 바뀜: {cls.__name__}.forward_intermediates의 기본 인자"
    model = tiny_vit()
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        _, with_prefix = model.forward_intermediates(x, return_prefix_tokens=True)
        tokens = model.forward_intermediates(x, output_fmt="NLC", intermediates_only=True)
    assert with_prefix[0][0].shape == (1, 192, 4, 4) and with_prefix[0][1].shape == (1, 1, 192), \
        "사실 바뀜: return_prefix_tokens=True가 (공간 feature, prefix token)을 돌려주지 않는다"
    assert [tuple(t.shape) for t in tokens] == [(1, 16, 192), (1, 16, 192)], "사실 바뀜: output_fmt='NLC'의 모양"


# ---------------------------------------------------------------- 본문의 나머지 사실
def test_hf_every_model_class_calls_post_init():
    for module in (mb, mr):
        classes = [c for c in vars(module).values()
                   if isinstance(c, type) and issubclass(c, PreTrainedModel) and c.__module__ == module.__name__
                   and "__init__" in vars(c)]
        assert classes
        missing = [c.__name__ for c in classes if "self.post_init()" not in inspect.getsource(c.__init__)]
        assert not missing, f"사실 바뀜: __init__에서 post_init을 부르지 않는 모델 class: {missing}"


def test_hf_cache_snapshots_and_generated_module():
    import huggingface_hub.file_download as file_download

    assert "snapshots" in inspect.getsource(file_download), "사실 바뀜: Hub cache에 snapshots/<commit>/ 폴더가 없다"
    assert RobertaModel.__module__ == "transformers.models.roberta.modeling_roberta", \
        "사실 바뀜: 실행되는 RobertaModel이 modeling_roberta.py의 것이 아니다"
    assert "modular" not in (MODELS / "roberta" / "__init__.py").read_text(encoding="utf-8"), \
        "사실 바뀜: roberta 패키지가 modular 파일을 import한다"
    assert "fairseq" in mr.RobertaEmbeddings.create_position_ids_from_input_ids.__doc__, \
        "사실 바뀜: RoBERTa position id docstring이 fairseq make_positions를 말하지 않는다"


def test_gpt2_tokenizer_is_the_same_byte_level_bpe():
    from tokenizers.models import BPE
    from transformers.models.gpt2.tokenization_gpt2 import GPT2Tokenizer

    assert GPT2Tokenizer.model is BPE and "ByteLevel" in inspect.getsource(GPT2Tokenizer), \
        "사실 바뀜: GPT-2 tokenizer가 byte-level BPE가 아니다 (RoBERTa와 같은 방식이라는 설명이 틀린다)"


def test_timm_vision_transformer_file_holds_the_variants():
    in_vit = set(timm.list_models(module="vision_transformer"))
    for name in ("vit_base_patch16_224", "vit_base_patch16_clip_224", "vit_base_patch14_dinov2",
                 "vit_base_patch16_siglip_224"):
        assert name in in_vit, f"사실 바뀜: {name}이 vision_transformer.py에 없다"
    assert "deit_base_patch16_224" in set(timm.list_models(module="deit")) - in_vit, "사실 바뀜: DeiT가 deit.py에 없다"
    body = [line.strip() for line in inspect.getsource(timm_resnet.resnet50).splitlines()]
    assert body[-2:] == ["model_args = dict(block=Bottleneck, layers=(3, 4, 6, 3))",
                         "return _create_resnet('resnet50', pretrained, **dict(model_args, **kwargs))"], \
        "사실 바뀜: 안내서가 인용한 resnet50 함수 본문"


def test_timm_names_sources_and_data_package():
    assert timm.models.parse_model_name("hf-hub:timm/resnet18.a1_in1k") == ("hf-hub", "timm/resnet18.a1_in1k"), \
        "사실 바뀜: parse_model_name이 hf-hub: 접두사를 해석하지 않는다"
    assert timm.models.parse_model_name("resnet18") == (None, "resnet18")
    assert timm.models.parse_model_name("local-dir:/tmp/x")[0] == "local-dir", "사실 바뀜: local-dir: 접두사"
    assert isinstance(timm.create_model("resnet18").pretrained_cfg, dict), \
        "사실 바뀜: model.pretrained_cfg가 dict가 아니다"
    assert timm.models.get_pretrained_cfg("resnet50.a1_in1k").paper_ids == "arXiv:2110.00476", \
        "사실 바뀜: resnet50.a1_in1k가 ResNet strikes back (arXiv:2110.00476) 가중치가 아니다"
    assert hasattr(timm.data, "create_dataset") and hasattr(timm.data, "create_loader"), \
        "사실 바뀜: timm.data의 dataset/loader"


def test_timm_feature_getter_prunes_and_calls_forward_intermediates():
    wrapped = timm.create_model("vit_tiny_patch16_224", img_size=32, patch_size=8, depth=3, features_only=True,
                                out_indices=(1,))
    assert len(wrapped.model.blocks) == 2 and isinstance(wrapped.model.head, nn.Identity), \
        "사실 바뀜: FeatureGetterNet이 마지막 요청 block 뒤의 block과 head를 떼어 내지 않는다"
    assert "forward_intermediates(" in inspect.getsource(_features.FeatureGetterNet.forward), \
        "사실 바뀜: FeatureGetterNet.forward가 forward_intermediates를 부르지 않는다"
    block = timm.create_model("resnet18").layer1[0]
    assert isinstance(block.drop_block, nn.Identity) and isinstance(block.aa, nn.Identity), \
        "사실 바뀜: ResNet block의 drop_block / aa가 기본값에서 Identity가 아니다"


def test_hf_more_facts_the_guide_states():
    from transformers.activations import ACT2FN

    x = torch.linspace(-5, 5, 101)
    assert (ACT2FN["gelu"](x) - torch.nn.functional.gelu(x)).abs().max() <= F32_ATOL, \
        "사실 바뀜: hidden_act='gelu'가 erf GELU가 아니다"
    modular = (MODELS / "roberta" / "modular_roberta.py").read_text(encoding="utf-8")
    quoted = next(line.strip() for line in GUIDE_HF.read_text(encoding="utf-8").splitlines()
                  if line.strip().startswith("from ..bert.modeling_bert import"))
    assert quoted in modular.splitlines(), "사실 바뀜: 안내서가 인용한 modular_roberta.py의 import 줄"
    bert_tokens = {k: v.default for k, v in inspect.signature(BertTokenizer.__init__).parameters.items()}
    roberta_tokens = {k: v.default for k, v in inspect.signature(RobertaTokenizer.__init__).parameters.items()}
    assert (bert_tokens["cls_token"], bert_tokens["sep_token"]) == ("[CLS]", "[SEP]"), "사실 바뀜: BERT의 [CLS]/[SEP]"
    roberta_special = (roberta_tokens["bos_token"], roberta_tokens["eos_token"], roberta_tokens["cls_token"])
    assert roberta_special == ("<s>", "</s>", "<s>"), \
        "사실 바뀜: RoBERTa의 <s>/</s>"


def test_hf_base_model_prefix_moves_checkpoint_keys(tmp_path):
    torch.manual_seed(0)
    body = BertModel(BertConfig(**TINY)).eval()
    body.save_pretrained(tmp_path)
    with_head = BertForMaskedLM.from_pretrained(tmp_path)
    assert torch.equal(with_head.bert.encoder.layer[0].attention.self.query.weight,
                       body.encoder.layer[0].attention.self.query.weight), \
        "사실 바뀜: BertModel checkpoint가 BertForMaskedLM.bert로 읽히지 않는다 (base_model_prefix)"
    assert all(k.startswith(("bert.", "cls.")) for k in with_head.state_dict()), "사실 바뀜: head 모델의 key 앞머리"


def test_hf_local_folder_load_opens_no_connection(tmp_path, monkeypatch):
    import socket

    BertModel(BertConfig(**TINY)).save_pretrained(tmp_path)
    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise OSError("이 테스트에서는 네트워크를 쓰지 않는다")

    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    transformers.AutoModel.from_pretrained(tmp_path)
    assert attempts == [], f"사실 바뀜: 폴더 경로에서 읽는데 네트워크 연결을 시도했다: {attempts}"


def test_hf_local_files_only_still_fetches_the_agent_registry_unless_offline(tmp_path, monkeypatch):
    """docs/03의 offline 절: `local_files_only=True`여도 프로세스의 첫 요청 header가 agent 목록을 한 번 받으려 하고,
    `HF_HUB_OFFLINE`이 켜져 있으면 연결하지 않는다."""
    import socket

    from huggingface_hub.utils import _detect_agent

    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("이 테스트에서는 네트워크를 쓰지 않는다")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(hub_constants, "AGENT_HARNESSES_PATH", str(tmp_path / "agents.json"))   # 받아 둔 목록 없음
    monkeypatch.setattr(hub_constants, "HF_HUB_DISABLE_TELEMETRY", False)
    for offline, expected in ((True, 0), (False, 1)):
        monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", offline)
        monkeypatch.setattr(_detect_agent, "_registry", None)                 # 프로세스의 처음처럼
        attempts.clear()
        with pytest.raises(OSError):
            BertModel.from_pretrained("tiny-org/never-cached", cache_dir=tmp_path / "cache", local_files_only=True)
        assert len(attempts) == expected, \
            f"사실 바뀜: HF_HUB_OFFLINE={offline}, local_files_only=True에서 연결 시도 {len(attempts)}번 " \
            f"(기대 {expected})"


def test_hf_tokenizer_without_files_is_an_empty_tokenizer_not_an_error(tmp_path, monkeypatch):
    """docs/03의 offline 절: tokenizer class는 빈 cache에서도 OSError 없이 special token만 든 tokenizer를 만든다."""
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)
    empty = BertTokenizer.from_pretrained("tiny-org/never-cached", cache_dir=tmp_path, local_files_only=True)
    assert sorted(empty.get_vocab()) == ["[CLS]", "[MASK]", "[PAD]", "[SEP]", "[UNK]"], \
        "사실 바뀜: 파일 없는 tokenizer가 special token만 든 빈 tokenizer가 아니다"


def test_timm_deit_lives_in_its_own_file_but_builds_the_same_class():
    assert "deit_tiny_patch16_224" in timm.list_models(module="deit"), "사실 바뀜: DeiT가 deit.py에 없다"
    assert type(timm.create_model("deit_tiny_patch16_224", depth=1)) is timm_vit.VisionTransformer, \
        "사실 바뀜: deit.py가 vision_transformer.py의 VisionTransformer를 만들지 않는다"
