"""pretrained 가중치를 읽는 한 가지 규칙: 저장한 폴더 → local cache → (허락할 때만) 내려받기 → 한 문장.

모든 장의 `from_pretrained`가 이 모듈을 부른다 (docs/00_Design.md 2절의 `from_pretrained(name)` 약속).

    hf_pretrained(GPT2LMHeadModel, "gpt2", download=False)     HF transformers class (08 BERT, 09 GPT, 10 ViT, 12 CLIP)
    hf_tokenizer(BertTokenizer, "bert-base-uncased")           HF tokenizer (08 BERT, 12 CLIP)
    torchvision_state_dict("vgg16", download=True)             torchvision의 IMAGENET1K 가중치 (04 VGG, 05 ResNet)

순서는 모두 같다.
    1. `save_pretrained`로 저장한 폴더 (HF만): 그 폴더의 파일만 읽는다.
    2. local cache: HF는 `local_files_only=True`와 offline 스위치로 HF cache(`HF_HUB_CACHE`, 또는 cache_dir)를,
       torchvision은 torch hub cache(`$TORCH_HOME/hub/checkpoints`)의 파일을 `torch.load(weights_only=True)`로
       읽는다. 이 단계는 네트워크에 연결하지 않는다.
    3. `download=True`일 때만 인터넷에서 받아 같은 cache에 둔다.
    4. 그래도 없으면 `DatasetUnavailable`: 모델 이름, cache 폴더, 내려받는 명령을 적은 한 문장 (줄바꿈 없음).
       `utils.cli.cli`가 그 문장과 exit code 2로 끝낸다.

두 library는 cache도, 파일 형식도, 내려받는 함수도 다르므로 함수를 따로 둔다 (HF tokenizer는 파일이 없을 때의 빈
tokenizer를 걸러 내는 `hf_tokenizer`로). timm의 `pretrained=True`는 timm이 알아서 HF cache를 보고 없으면 받으므로
(끌 인자가 없다) 여기에 넣지 않는다 (10장 `ViT.from_pretrained`).
torch·transformers는 함수 안에서만 import한다.
"""
from __future__ import annotations

import contextlib
import os
import urllib.error
from pathlib import Path
from urllib.parse import urlparse

from utils.core import DatasetUnavailable


# ---------------------------------------------------------------------------
# Hugging Face transformers
# ---------------------------------------------------------------------------
def hf_cache_folder(cache_dir=None) -> Path:
    """HF가 가중치를 찾고 저장하는 폴더: cache_dir, 없으면 huggingface_hub의 기본값 (`HF_HUB_CACHE`·`HF_HOME`)."""
    if cache_dir is not None:
        return Path(cache_dir)
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


@contextlib.contextmanager
def hf_offline():
    """이 블록 안에서 huggingface_hub의 offline 스위치(`constants.HF_HUB_OFFLINE`, 환경 변수 `HF_HUB_OFFLINE=1`이
    import 때 채우는 값)를 켜고, 끝나면 되돌린다.

    `local_files_only=True`만으로는 네트워크를 아예 안 쓰지는 않는다: huggingface_hub 2.x는 요청 header를 만들며
    agent 목록(`{ENDPOINT}/api/agent-harnesses`)을 하루 한 번 받으려 한다 (`utils/_detect_agent.py`). transformers와
    huggingface_hub는 이 스위치를 호출할 때마다 읽으므로, 켜 두면 cache만 보고 아무 연결도 하지 않는다.
    """
    from huggingface_hub import constants

    old = constants.HF_HUB_OFFLINE
    constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = old


def hf_pretrained(model_class, name: str, *, download: bool = False, cache_dir=None, how: str | None = None,
                  **kwargs):
    """`model_class.from_pretrained`를 폴더 → HF cache → (download=True면) 인터넷 순으로 부른다.

    model_class: `transformers.GPT2LMHeadModel`처럼 `from_pretrained(name, local_files_only=, cache_dir=, **kwargs)`를
    가진 class. kwargs는 그대로 넘긴다 (예: `output_loading_info=True`). 돌려주는 것은 `from_pretrained`가 돌려준 것.
    how: 없을 때 메시지에 적을 "내려받는 방법" (기본은 `python -c "...from_pretrained(name)"` 명령).
    얻지 못하면 DatasetUnavailable (한 문장).
    """
    return _hf_from_pretrained(model_class, name, "가중치", False, download, cache_dir, how, kwargs)


def hf_tokenizer(tokenizer_class, name: str, *, download: bool = False, cache_dir=None, how: str | None = None,
                 **kwargs):
    """tokenizer를 `hf_pretrained`와 같은 순서 (폴더 → HF cache → download=True면 인터넷 → 한 문장)로 읽는다.

    tokenizer_class: `transformers.BertTokenizer`, `CLIPTokenizer`, `GPT2Tokenizer`, `AutoTokenizer` 등.
    transformers 5의 tokenizer는 파일을 하나도 찾지 못해도 OSError 없이 special token만 든 빈 tokenizer를 돌려준다
    (`PreTrainedTokenizerBase.from_pretrained`가 못 찾은 파일을 None으로 두고 만든다; `AutoTokenizer`도 config.json만
    있으면 그렇다). 그래서 읽은 tokenizer의 class가 읽는 파일 (`vocab_files_names`, 예 vocab.txt, 그리고 tokenizer.json)
    가운데 하나라도 그 폴더나 HF cache에 있을 때만 받아들인다. class가 그 목록을 가지면 cache는 부르기 전에도 본다.
    """
    return _hf_from_pretrained(tokenizer_class, name, "tokenizer", True, download, cache_dir, how, kwargs)


def _tokenizer_files(tokenizer_class) -> tuple[str, ...]:
    """tokenizer class가 폴더에서 읽는 파일 이름: `vocab_files_names`와, 어느 class나 읽는 tokenizer.json."""
    return tuple(dict.fromkeys([*getattr(tokenizer_class, "vocab_files_names", {}).values(), "tokenizer.json"]))


def _hf_from_pretrained(model_class, name: str, what: str, tokenizer: bool, download: bool, cache_dir, how, kwargs):
    """`hf_pretrained`·`hf_tokenizer`의 본체. what: 메시지의 이름 ("가중치", "tokenizer").
    tokenizer=True면 읽은 것의 파일이 폴더나 cache에 있는지 확인한다 (빈 tokenizer를 돌려주지 않는다).
    가중치는 없으면 `from_pretrained`가 OSError를 낸다."""
    cls = getattr(model_class, "__name__", str(model_class))
    expected = _tokenizer_files(model_class) if tokenizer and hasattr(model_class, "vocab_files_names") else ()
    contents = (" 또는 ".join(expected) or "tokenizer 파일") if tokenizer else "config.json과 가중치 파일"

    def has_files(loaded, exists) -> bool:
        return not tokenizer or any(exists(file) for file in _tokenizer_files(type(loaded)))

    folder = Path(name)
    if folder.is_dir():                                            # 1. save_pretrained 폴더: 인터넷을 쓰지 않는다
        try:
            with hf_offline():
                loaded = model_class.from_pretrained(str(folder), local_files_only=True, **kwargs)
            if not has_files(loaded, lambda file: (folder / file).is_file()):
                raise OSError(f"{' 또는 '.join(_tokenizer_files(type(loaded)))} 없음")
            return loaded
        except OSError as error:
            raise DatasetUnavailable(f"폴더 {folder}에 {cls} {what}가 없습니다 ({_first_line(error)}): "
                                     f"{cls}.save_pretrained로 저장한 폴더 ({contents})를 주세요") from None
    if _looks_like_path(name):                                     # hub 이름일 수 없는 경로: 없는 폴더
        raise DatasetUnavailable(f"폴더 {folder}가 없습니다: {cls}.save_pretrained로 저장한 폴더 ({contents})의 "
                                 "경로를 주세요")

    def cached(file) -> bool:                                      # 파일만 본다: 네트워크에 연결하지 않는다
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(name, file, cache_dir=cache_dir), str)

    if not expected or any(cached(file) for file in expected):    # 2. HF cache
        try:
            with hf_offline():
                loaded = model_class.from_pretrained(name, local_files_only=True, cache_dir=cache_dir, **kwargs)
            if has_files(loaded, cached):
                return loaded
        except OSError:
            pass
    cache = hf_cache_folder(cache_dir)
    if how is None:
        where = "" if cache_dir is None else f", cache_dir={str(cache_dir)!r}"
        how = (f'python -c "import transformers; transformers.{cls}.from_pretrained({name!r}{where})"로 '
               "한 번 내려받으세요")
    if not download:                                               # 4. 내려받지 않는다
        raise DatasetUnavailable(f"pretrained {what} {name!r}는 저장한 폴더도 아니고 HF cache {cache}에도 없습니다: "
                                 f"인터넷에 연결된 곳에서 {how} (또는 {cls}.save_pretrained로 저장한 폴더를 주세요)")
    try:                                                           # 3. 내려받기
        loaded = model_class.from_pretrained(name, cache_dir=cache_dir, **kwargs)
    except OSError as error:
        raise DatasetUnavailable(f"pretrained {what} {name!r}를 내려받지 못했습니다 ({type(error).__name__}): "
                                 f"인터넷 연결을 확인하거나, 연결된 곳에서 HF cache {cache}에 받아 두세요") from None
    if not has_files(loaded, cached):                              # 받은 repo에 파일이 없다: 빈 tokenizer를 막는다
        raise DatasetUnavailable(f"{name!r}에는 {cls}가 읽는 파일 ({contents})이 없습니다: {what}가 든 다른 이름이나 "
                                 "폴더를 주세요")
    return loaded


# ---------------------------------------------------------------------------
# torchvision (torch hub cache)
# ---------------------------------------------------------------------------
def torchvision_weights_file(name: str, weights: str = "DEFAULT") -> tuple[str, Path]:
    """torchvision 모델 이름 (예: "vgg16", "resnet50")과 가중치 이름 (기본 "DEFAULT", 예: "IMAGENET1K_V1")
    → (url, torch hub cache 안의 파일 경로).

    torch hub는 url의 파일 이름 그대로 `<torch.hub.get_dir()>/checkpoints/`에 저장한다. 모르는 이름이면 ValueError.
    """
    import torch
    from torchvision.models import get_model_weights

    try:
        url = getattr(get_model_weights(name), weights).url
    except (ValueError, KeyError, AttributeError) as error:
        raise ValueError(f"torchvision에 없는 모델·가중치 이름입니다: {name!r}, weights={weights!r}") from error
    return url, Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(urlparse(url).path)


def torchvision_state_dict(name: str, weights: str = "DEFAULT", *, download: bool = False, progress: bool = True,
                           how: str | None = None) -> dict:
    """torchvision 모델 `name`의 가중치 `weights` (기본 DEFAULT) state_dict: torch hub cache → (download=True면) 인터넷.

    cache의 파일은 `torch.load(weights_only=True)`로 읽는다 (pickle 안의 코드를 실행하지 않는다). 받을 때는 torch hub가
    파일 이름의 hash 앞자리를 확인한다 (check_hash). 얻지 못하면 DatasetUnavailable (한 문장).
    how: 없을 때 메시지에 적을 "내려받는 방법" (기본은 `python -c "...get_state_dict()"` 명령).
    """
    import torch

    url, path = torchvision_weights_file(name, weights)
    if path.is_file():
        return torch.load(path, map_location="cpu", weights_only=True)
    if how is None:
        how = (f"python -c \"import torchvision; torchvision.models.get_model_weights({name!r}).{weights}"
               ".get_state_dict()\"로 한 번 내려받으세요")
    if not download:
        raise DatasetUnavailable(f"{name}의 pretrained 가중치 파일이 torch hub cache {path.parent}에 없습니다: "
                                 f"인터넷에 연결된 곳에서 {how} (또는 {url}을 그 폴더에 넣으세요)")
    try:
        return torch.hub.load_state_dict_from_url(url, progress=progress, check_hash=True, weights_only=True)
    except (urllib.error.URLError, OSError, RuntimeError) as error:
        raise DatasetUnavailable(f"{name}의 pretrained 가중치 ({url})를 받지 못했습니다 ({type(error).__name__}): "
                                 f"인터넷 연결을 확인하거나, 연결된 곳에서 받은 파일을 torch hub cache {path.parent}에 "
                                 "넣으세요") from None


def _looks_like_path(name: str) -> bool:
    """HF hub 이름("gpt2", "openai/clip-vit-base-patch32")일 수 없는 문자열: /·.·~로 시작하거나 "/"가 둘 이상."""
    return name.startswith(("/", ".", "~")) or name.count("/") > 1 or (os.sep != "/" and os.sep in name)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
