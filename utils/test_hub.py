"""utils.hub 검증 (오프라인): 저장한 폴더를 읽는다, cache에 없으면 한 문장, 허락하지 않으면 내려받지 않는다.

인터넷을 쓰지 않는다: socket 연결을 막아 두고 (`no_network`), 내려받는 함수는 가짜로 바꿔 불렸는지 센다.
"""
import socket
import urllib.error

import pytest
import torch

from utils import hub
from utils.core import DatasetUnavailable


@pytest.fixture
def no_network(monkeypatch):
    """이 테스트 안에서 socket 연결을 시도하면 테스트가 실패한다."""
    def refuse(*args, **kwargs):
        pytest.fail(f"네트워크 연결을 시도했습니다: {args[1:] if len(args) > 1 else args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def tiny_gpt2(seed: int = 0):
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(seed)
    return GPT2LMHeadModel(GPT2Config(n_layer=1, n_head=2, n_embd=8, vocab_size=11, n_positions=8,
                                           bos_token_id=0, eos_token_id=0)).eval()


def one_sentence(error: pytest.ExceptionInfo) -> str:
    text = str(error.value)
    assert "\n" not in text, text
    return text


# ---------------------------------------------------------------- HF transformers
def test_save_pretrained_folder_loads_the_same_weights(tmp_path, no_network):
    from transformers import GPT2LMHeadModel

    ref = tiny_gpt2(seed=3)
    ref.save_pretrained(tmp_path / "tiny")
    loaded = hub.hf_pretrained(GPT2LMHeadModel, str(tmp_path / "tiny"), download=True)   # 폴더는 받지 않는다
    theirs = ref.state_dict()
    assert loaded.state_dict().keys() == theirs.keys()
    for key, value in loaded.state_dict().items():
        assert torch.equal(value, theirs[key]), key


def test_name_in_the_hf_cache_loads_without_network(tmp_path, no_network):
    """HF cache의 폴더 규칙 (`models--<조직>--<이름>/refs/main` → `snapshots/<commit>/`)으로 놓은 파일을 찾는다."""
    from transformers import GPT2LMHeadModel

    ref = tiny_gpt2(seed=4)
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "cache" / "models--tiny-org--tiny-gpt2"
    ref.save_pretrained(repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    loaded = hub.hf_pretrained(GPT2LMHeadModel, "tiny-org/tiny-gpt2", cache_dir=tmp_path / "cache")
    for key, value in ref.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value), key


def test_missing_name_without_cache_is_one_sentence_naming_model_and_cache(tmp_path, no_network):
    from transformers import GPT2LMHeadModel

    cache = tmp_path / "empty_cache"
    with pytest.raises(DatasetUnavailable) as error:
        hub.hf_pretrained(GPT2LMHeadModel, "openai-community/gpt2", cache_dir=cache)
    text = one_sentence(error)
    assert "'openai-community/gpt2'" in text and str(cache) in text
    assert "GPT2LMHeadModel.from_pretrained('openai-community/gpt2'" in text     # 내려받는 명령
    assert not cache.exists() or not any(cache.rglob("*.safetensors"))


def test_folder_without_weights_names_the_folder(tmp_path, no_network):
    from transformers import GPT2LMHeadModel

    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetUnavailable) as error:
        hub.hf_pretrained(GPT2LMHeadModel, str(tmp_path / "empty"))
    assert f"{tmp_path / 'empty'}에 GPT2LMHeadModel 가중치가 없습니다" in one_sentence(error)


def test_missing_folder_path_is_not_looked_up_in_the_cache(tmp_path, fake_hf):
    """hub 이름일 수 없는 경로 (없는 폴더)는 cache도 보지 않고 폴더가 없다고 말한다."""
    with pytest.raises(DatasetUnavailable) as error:
        hub.hf_pretrained(fake_hf, str(tmp_path / "nowhere"), download=True)
    assert f"폴더 {tmp_path / 'nowhere'}가 없습니다" in one_sentence(error) and fake_hf.calls == []


class FakeHF:
    """`from_pretrained` 호출을 기록한다: cache에는 없고, 내려받기는 성공 또는 실패로 흉내 낸다."""

    calls: list = []
    download_works = True

    @classmethod
    def from_pretrained(cls, name, local_files_only=False, cache_dir=None, **kwargs):
        cls.calls.append((name, local_files_only, kwargs))
        if local_files_only:
            raise OSError("not in cache")
        if not cls.download_works:
            raise OSError("We couldn't connect to 'https://huggingface.co'\nCheck your internet connection")
        return ("downloaded", name)


@pytest.fixture
def fake_hf():
    FakeHF.calls, FakeHF.download_works = [], True
    return FakeHF


def test_download_happens_only_when_allowed(fake_hf, tmp_path):
    with pytest.raises(DatasetUnavailable, match="'m'는 저장한 폴더도 아니고 HF cache"):
        hub.hf_pretrained(fake_hf, "m", cache_dir=tmp_path)
    assert [local for _, local, _ in fake_hf.calls] == [True]                # cache만 보고, 받으려 하지 않았다
    fake_hf.calls.clear()
    assert hub.hf_pretrained(fake_hf, "m", download=True, output_loading_info=True) == ("downloaded", "m")
    assert fake_hf.calls == [("m", True, {"output_loading_info": True}), ("m", False, {"output_loading_info": True})]


def test_failed_download_is_one_sentence(fake_hf, tmp_path):
    fake_hf.download_works = False
    with pytest.raises(DatasetUnavailable) as error:
        hub.hf_pretrained(fake_hf, "m", download=True, cache_dir=tmp_path)
    text = one_sentence(error)
    assert "'m'를 내려받지 못했습니다" in text and str(tmp_path) in text


def test_how_replaces_the_download_command(fake_hf):
    with pytest.raises(DatasetUnavailable) as error:
        hub.hf_pretrained(fake_hf, "m", how="--download를 주어 한 번 실행하세요")
    assert "--download를 주어 한 번 실행하세요" in one_sentence(error) and "python -c" not in str(error.value)


# ---------------------------------------------------------------- HF tokenizer
WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s"]


def tiny_bert_tokenizer(tmp_path):
    from transformers import BertTokenizer

    (tmp_path / "vocab_src").mkdir()
    (tmp_path / "vocab_src" / "vocab.txt").write_text("\n".join(WORDS) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer.from_pretrained(str(tmp_path / "vocab_src"), local_files_only=True)
    assert len(tokenizer.get_vocab()) == len(WORDS)
    return tokenizer


def in_hf_cache_layout(cache, repo_name: str, save) -> None:
    """`save(folder)`로 쓴 파일을 HF cache의 폴더 규칙 (`models--<조직>--<이름>/snapshots/<commit>/`)에 놓는다."""
    commit = "89abcdef0123456789abcdef0123456789abcdef"
    repo = cache / f"models--{repo_name.replace('/', '--')}"
    save(repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)


@pytest.mark.parametrize("class_name", ["BertTokenizer", "CLIPTokenizer", "AutoTokenizer"])
def test_tokenizer_missing_from_an_empty_cache_is_one_sentence(tmp_path, no_network, class_name):
    """transformers 5의 tokenizer class는 파일이 없어도 빈 tokenizer를 만든다: 돌려주지 않고 한 문장으로 알린다."""
    import transformers

    cache = tmp_path / "empty_hf_home" / "hub"
    with pytest.raises(DatasetUnavailable) as error:
        hub.hf_tokenizer(getattr(transformers, class_name), "tiny-org/tiny-tokenizer", cache_dir=cache)
    text = one_sentence(error)
    assert "pretrained tokenizer 'tiny-org/tiny-tokenizer'" in text and str(cache) in text
    assert f"{class_name}.from_pretrained('tiny-org/tiny-tokenizer'" in text


def test_tokenizer_in_the_hf_cache_loads_without_network(tmp_path, no_network):
    from transformers import BertTokenizer

    ref = tiny_bert_tokenizer(tmp_path)
    in_hf_cache_layout(tmp_path / "cache", "tiny-org/tiny-bert", ref.save_pretrained)
    loaded = hub.hf_tokenizer(BertTokenizer, "tiny-org/tiny-bert", cache_dir=tmp_path / "cache")
    assert loaded.get_vocab() == ref.get_vocab() and len(loaded.get_vocab()) == len(WORDS)
    assert loaded.tokenize("Hello worlds") == ["hello", "world", "##s"]


def test_tokenizer_folder_loads_and_a_folder_without_its_files_names_them(tmp_path, no_network):
    from transformers import BertTokenizer

    tiny_bert_tokenizer(tmp_path).save_pretrained(tmp_path / "saved")
    assert len(hub.hf_tokenizer(BertTokenizer, str(tmp_path / "saved")).get_vocab()) == len(WORDS)
    (tmp_path / "config_only").mkdir()
    (tmp_path / "config_only" / "config.json").write_text('{"model_type": "bert"}')
    with pytest.raises(DatasetUnavailable) as error:
        hub.hf_tokenizer(BertTokenizer, str(tmp_path / "config_only"))
    assert f"폴더 {tmp_path / 'config_only'}에 BertTokenizer tokenizer가 없습니다" in one_sentence(error)
    assert "vocab.txt 또는 tokenizer.json" in str(error.value)


def test_auto_tokenizer_from_a_config_only_folder_or_cache_is_refused(tmp_path, no_network):
    """AutoTokenizer는 config.json만 있어도 빈 GPT2Tokenizer를 만든다: 폴더에서도 cache에서도 받아들이지 않는다."""
    from transformers import AutoTokenizer

    save = lambda folder: (folder.mkdir(parents=True), (folder / "config.json").write_text('{"model_type": "gpt2"}'))
    save(tmp_path / "config_only")
    with pytest.raises(DatasetUnavailable) as error:
        hub.hf_tokenizer(AutoTokenizer, str(tmp_path / "config_only"))
    assert "vocab.json 또는 merges.txt 또는 tokenizer.json 없음" in one_sentence(error)
    in_hf_cache_layout(tmp_path / "cache", "tiny-org/config-only", save)
    with pytest.raises(DatasetUnavailable, match="'tiny-org/config-only'는 저장한 폴더도 아니고 HF cache"):
        hub.hf_tokenizer(AutoTokenizer, "tiny-org/config-only", cache_dir=tmp_path / "cache")


class FakeTokenizer:
    """vocabulary 파일 이름을 가진 tokenizer class: 부르면 기록하고 (파일이 없어도) 빈 tokenizer를 돌려준다."""

    vocab_files_names = {"vocab_file": "vocab.txt", "tokenizer_file": "tokenizer.json"}
    calls: list = []

    @classmethod
    def from_pretrained(cls, name, local_files_only=False, cache_dir=None, **kwargs):
        cls.calls.append((name, local_files_only))
        return "empty tokenizer"


def test_tokenizer_download_only_when_allowed_and_never_an_empty_one(tmp_path, no_network):
    FakeTokenizer.calls = []
    with pytest.raises(DatasetUnavailable, match="'m'는 저장한 폴더도 아니고 HF cache"):
        hub.hf_tokenizer(FakeTokenizer, "m", cache_dir=tmp_path)
    assert FakeTokenizer.calls == []                         # 파일이 cache에 없으면 빈 tokenizer를 만들지도 않는다
    with pytest.raises(DatasetUnavailable) as error:         # 받았다는데 cache에 파일이 없다
        hub.hf_tokenizer(FakeTokenizer, "m", cache_dir=tmp_path, download=True)
    assert FakeTokenizer.calls == [("m", False)]
    assert "vocab.txt 또는 tokenizer.json" in one_sentence(error)


# ---------------------------------------------------------------- torchvision
@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    """빈 torch hub cache. 진짜 내려받기 함수는 부르면 실패한다."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))

    def must_not_download(*args, **kwargs):
        pytest.fail("download=False인데 torch hub에서 내려받으려 했습니다")

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", must_not_download)
    return tmp_path / "torch_home"


def test_torchvision_file_in_the_cache_loads_with_weights_only(torch_home, no_network):
    url, path = hub.torchvision_weights_file("vgg11")
    assert path.parent == torch_home / "hub" / "checkpoints" and url.endswith("/" + path.name)
    state = {"features.0.weight": torch.arange(6.0).reshape(2, 3), "classifier.6.bias": torch.ones(4)}
    path.parent.mkdir(parents=True)
    torch.save(state, path)
    loaded = hub.torchvision_state_dict("vgg11")
    assert loaded.keys() == state.keys() and all(torch.equal(loaded[k], state[k]) for k in state)


def test_torchvision_cache_refuses_pickled_code(torch_home):
    """weights_only=True: tensor가 아닌 object가 든 파일은 읽지 않는다."""
    _, path = hub.torchvision_weights_file("vgg11")
    path.parent.mkdir(parents=True)
    torch.save({"w": torch.ones(1), "extra": FakeHF()}, path)
    with pytest.raises(Exception, match="[Ww]eights only load failed|weights_only"):
        hub.torchvision_state_dict("vgg11")


def test_torchvision_missing_without_download_is_one_sentence(torch_home, no_network):
    with pytest.raises(DatasetUnavailable) as error:
        hub.torchvision_state_dict("resnet18")
    text = one_sentence(error)
    assert "resnet18" in text and str(torch_home / "hub" / "checkpoints") in text and "get_model_weights" in text


def test_torchvision_failed_download_is_one_sentence(torch_home, monkeypatch):
    calls = []

    def offline(url, **kwargs):
        calls.append((url, kwargs))
        raise urllib.error.URLError("no network\nat all")

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", offline)
    with pytest.raises(DatasetUnavailable) as error:
        hub.torchvision_state_dict("vgg16", download=True, progress=False)
    assert "vgg16의 pretrained 가중치" in one_sentence(error) and "URLError" in str(error.value)
    assert len(calls) == 1 and calls[0][1]["check_hash"] and calls[0][1]["weights_only"]


def test_unknown_torchvision_name_is_a_value_error():
    with pytest.raises(ValueError, match="'vgg17'"):
        hub.torchvision_weights_file("vgg17")
