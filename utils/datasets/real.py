"""실제 데이터셋: MNIST, CIFAR-10, IMDB, Imagenette. `root` 폴더(CLI의 `--root`, 기본 `data/`)에서 읽는다.

아무것도 import나 테스트 중에 내려받지 않는다: `download=True`(CLI의 `--download`)를 명시했을 때만 torchvision이
받는다. 파일이 없고 받을 수도 없으면 `DatasetUnavailable`을 던지고, 그 메시지는 무엇을 하면 되는지 한 문장으로
말한다 (`utils.cli.cli`가 traceback 없이 출력하고 exit code 2로 끝낸다).

CIFAR-10의 python 배치는 pickle 파일이다. pickle은 읽는 순간 파일 안의 코드를 실행할 수 있으므로, `root`에 놓인
파일을 그대로 `pickle.load`하지 않는다: 형식에 필요한 것(dict, list, str/bytes/숫자, NumPy 배열과 dtype)만
허용하는 unpickler(`SafeUnpickler`)로 읽고, 원본 파일이면 공개된 MD5와 비교한다.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import numpy as np

from utils.core import DatasetUnavailable
from utils.datasets.base import Dataset

_MNIST_RAW_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def _short(error: BaseException) -> str:
    """예외 메시지의 첫 줄 (한 문장 메시지에 넣기 위해)."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _torchvision_datasets(dataset: str):
    """torchvision.datasets를 필요할 때만 import한다 (없으면 한 문장으로 안내)."""
    try:
        from torchvision import datasets
    except ImportError as error:
        raise DatasetUnavailable(f"{dataset}를 읽거나 받으려면 torchvision이 필요하니 "
                                 f"`pip install torchvision` 후 다시 실행하세요.") from error
    return datasets


def load_mnist(root: str | os.PathLike = "data", download: bool = False) -> Dataset:
    """MNIST (LeCun et al. 1998): 60000 / 10000장, X float32 (N, 1, 28, 28) [0, 1], y int64.

    `torchvision.datasets.MNIST`로 읽는다. torchvision은 `<root>/MNIST/raw/` 아래에 압축을 푼 idx 파일 4개
    (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte)가
    **있는지만** 확인하고(MD5는 내려받을 때의 .gz에만 검사) 그대로 읽는다.
    """
    raw = Path(root) / "MNIST" / "raw"
    legacy = Path(root) / "MNIST" / "processed"
    have_raw = all((raw / name).is_file() for name in _MNIST_RAW_FILES)
    have_legacy = all((legacy / name).is_file() for name in ("training.pt", "test.pt"))
    if not download and not (have_raw or have_legacy):
        raise DatasetUnavailable(f"MNIST가 {raw}에 없습니다. 인터넷이 되면 --download를 붙여 다시 실행하세요.")
    datasets = _torchvision_datasets("MNIST")
    try:
        train = datasets.MNIST(os.fspath(root), train=True, download=download)
        test = datasets.MNIST(os.fspath(root), train=False, download=download)
    except (RuntimeError, OSError) as error:                # 오프라인이면 URLError(OSError) / RuntimeError
        raise DatasetUnavailable(f"MNIST를 {raw}에 받지 못했습니다({_short(error)}): 인터넷 연결을 확인하거나 "
                                 f"idx 파일 4개를 직접 그 폴더에 넣으세요.") from error
    except (AssertionError, ValueError, TypeError) as error:              # idx 파일 형식이 깨졌을 때
        raise DatasetUnavailable(f"{raw}의 MNIST 파일이 손상되었으니 지우고 --download로 다시 받으세요 "
                                 f"({_short(error)}).") from error

    def arrays(split):
        X = split.data.numpy().astype(np.float32)[:, None, :, :] / np.float32(255)  # (N, 1, 28, 28)
        return X, split.targets.numpy().astype(np.int64)

    X_train, y_train = arrays(train)
    X_test, y_test = arrays(test)
    info = {"class_names": [str(d) for d in range(10)], "root": os.fspath(root)}
    return Dataset("mnist", X_train, y_train, X_test, y_test, info)


CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
_CIFAR10_FOLDER = "cifar-10-batches-py"
_CIFAR10_TRAIN = tuple(f"data_batch_{i}" for i in range(1, 6))
_CIFAR10_FILES = _CIFAR10_TRAIN + ("test_batch", "batches.meta")


# 공개된 MD5 (cifar-10-python.tar.gz를 푼 원본 파일; torchvision의 CIFAR10.train_list / test_list / meta와 같다)
CIFAR10_MD5 = {
    "data_batch_1": "c99cafc152244af753f735de768cd75f",
    "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
    "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
    "data_batch_4": "634d18415352ddfa80567beed471001a",
    "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
    "test_batch": "40351d587109b95175f43aff81a1287e",
    "batches.meta": "5ff9c542aee3614f3951f8cda6e48888",
}
# 원본 배치 하나는 10000장 × 3072 byte의 픽셀만으로 이만큼이다. 이보다 큰 파일은 원본이라고 주장하는 셈이므로
# MD5를 확인한다. 더 작은 파일(직접 만든 작은 배치, 테스트 파일)은 원본이 아니므로 MD5 없이 형식만 확인한다.
CIFAR10_ORIGINAL_MIN_BYTES = 10000 * 3072


class SafeUnpickler(pickle.Unpickler):
    """CIFAR-10 배치 형식에 필요한 것만 만들 수 있는 unpickler.

    pickle의 GLOBAL / REDUCE는 아무 함수나 불러올 수 있어, 조작된 파일은 읽는 순간 코드를 실행할 수 있다
    (`os.system` 등). 여기서는 dict·list·str·bytes·숫자(이들은 GLOBAL 없이 만들어진다)와 NumPy 배열 복원에
    필요한 이름만 허용하고, 그 밖의 이름을 만나면 `pickle.UnpicklingError`를 낸다.
    """

    ALLOWED = {
        ("numpy", "ndarray"), ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
        ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),   # protocol 5의 배열
        ("_codecs", "encode"),                                  # protocol 2가 bytes를 적는 방식
    }

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"허용하지 않는 객체 {module}.{name}")
        if module.startswith("numpy.core.") and hasattr(np, "_core"):   # NumPy 2에서는 numpy._core로 옮겨졌다
            module = "numpy._core." + module.removeprefix("numpy.core.")
        return super().find_class(module, name)


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_cifar10_originals(folder: Path) -> None:
    """원본 크기의 배치가 있으면 7개 파일 모두 공개된 MD5와 같아야 한다. 다르면 어느 파일인지 한 문장으로."""
    batches = [name for name in CIFAR10_MD5 if name != "batches.meta"]
    if not any((folder / name).stat().st_size >= CIFAR10_ORIGINAL_MIN_BYTES for name in batches):
        return
    for name, expected in CIFAR10_MD5.items():
        if _md5(folder / name) != expected:
            raise DatasetUnavailable(f"{folder / name}의 MD5가 공개된 CIFAR-10 원본({expected})과 다르니, "
                                     f"그 폴더를 지우고 --download로 다시 받으세요.")


def _unpickle(path: Path) -> dict:
    """CIFAR-10 python 배치 하나를 `SafeUnpickler`로 읽는다. 원본은 Python 2 pickle이라 latin1로 읽고,
    key가 bytes면 str로 바꾼다. 형식이 아니거나 허용하지 않는 객체가 있으면 한 문장짜리 DatasetUnavailable."""
    try:
        with open(path, "rb") as f:
            entry = SafeUnpickler(f, encoding="latin1").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError) as error:
        raise DatasetUnavailable(f"{path}는 CIFAR-10 python 배치로 읽을 수 없으니({_short(error)}) 지우고 "
                                 f"--download로 다시 받으세요.") from error
    if not isinstance(entry, dict):
        raise DatasetUnavailable(f"{path}는 CIFAR-10 python 배치(dict)가 아니니 지우고 --download로 다시 받으세요.")
    return {(k.decode("latin1") if isinstance(k, bytes) else k): v for k, v in entry.items()}


def _read_cifar_batches(folder: Path, names) -> tuple[np.ndarray, np.ndarray]:
    X, y = [], []
    for name in names:
        entry = _unpickle(folder / name)
        try:
            data = np.asarray(entry["data"], dtype=np.uint8)              # (n, 3072): R 1024, G 1024, B 1024 (행 우선)
            X.append(data.reshape(len(data), 3, 32, 32))                  # (n, 3, 32, 32)
            y.append(np.asarray(entry["labels"], dtype=np.int64))
        except (KeyError, ValueError, TypeError) as error:
            raise DatasetUnavailable(f"{folder / name}에 CIFAR-10 배치의 data (n, 3072) uint8 / labels가 없으니 "
                                     f"지우고 --download로 다시 받으세요 ({_short(error)}).") from error
    return np.concatenate(X).astype(np.float32) / np.float32(255), np.concatenate(y)


def load_cifar10(root: str | os.PathLike = "data", download: bool = False) -> Dataset:
    """CIFAR-10 (Krizhevsky 2009): 50000 / 10000장, X float32 (N, 3, 32, 32) [0, 1], y int64.

    `<root>/cifar-10-batches-py/`의 표준 python pickle 배치(data_batch_1..5, test_batch, batches.meta)를 직접 읽는다.
    `download=True`면 먼저 `torchvision.datasets.CIFAR10(download=True)`가 받아 MD5까지 확인한다.
    파일은 `SafeUnpickler`로 읽고(코드 실행 없음), 원본 크기의 파일이면 `CIFAR10_MD5`와 비교한다.
    (torchvision으로 바로 읽지 않는 이유: 그쪽은 읽을 때마다 모든 파일의 MD5를 검사해 작은 test 파일을 거부한다.)
    """
    folder = Path(root) / _CIFAR10_FOLDER
    if download:
        datasets = _torchvision_datasets("CIFAR-10")
        try:
            datasets.CIFAR10(os.fspath(root), train=False, download=True)   # 받고 MD5 확인 (test 배치만 읽는다)
        except (RuntimeError, OSError) as error:
            raise DatasetUnavailable(f"CIFAR-10을 {folder}에 받지 못했습니다({_short(error)}): 인터넷 연결을 "
                                     f"확인하거나 cifar-10-python.tar.gz를 {root}에 직접 풀어 넣으세요.") from error
    missing = [name for name in _CIFAR10_FILES if not (folder / name).is_file()]
    if missing:
        raise DatasetUnavailable(f"CIFAR-10이 {folder}에 없습니다({', '.join(missing)} 없음). "
                                 f"인터넷이 되면 --download를 붙여 다시 실행하세요.")
    _check_cifar10_originals(folder)
    X_train, y_train = _read_cifar_batches(folder, _CIFAR10_TRAIN)
    X_test, y_test = _read_cifar_batches(folder, ("test_batch",))
    meta = _unpickle(folder / "batches.meta")
    names = meta.get("label_names", CIFAR10_CLASSES)
    class_names = [n.decode("latin1") if isinstance(n, bytes) else str(n) for n in names]
    info = {"class_names": class_names, "root": os.fspath(root)}
    return Dataset("cifar10", X_train, y_train, X_test, y_test, info)


def _read_imdb_split(folder: Path) -> tuple[list[str], np.ndarray]:
    texts, labels = [], []
    for label, sub in ((0, "neg"), (1, "pos")):
        for path in sorted((folder / sub).glob("*.txt")):                # 이름 순서 → 결정적
            texts.append(path.read_text(encoding="utf-8"))
            labels.append(label)
    return texts, np.asarray(labels, dtype=np.int64)


def load_imdb(root: str | os.PathLike = "data") -> Dataset:
    """IMDB 영화평 감성 분류 (Maas et al. 2011, aclImdb v1): 25000 / 25000개 리뷰. X list[str], y int64 (1 = pos).

    표준 폴더 구조 `<root>/aclImdb/{train,test}/{pos,neg}/*.txt`를 읽는다: split마다 neg 다음 pos, 각 폴더 안은
    파일 이름 순서. 텍스트는 그대로 돌려준다(`<br />` 같은 HTML 태그 정리는 쓰는 쪽에서). 내려받기는 지원하지 않는다.
    """
    base = Path(root) / "aclImdb"
    folders = [base / split / sub for split in ("train", "test") for sub in ("pos", "neg")]
    empty = [f for f in folders if not f.is_dir() or next(f.glob("*.txt"), None) is None]
    if empty:
        raise DatasetUnavailable(f"IMDB가 {base}에 없습니다({empty[0]}에 .txt가 없음): "
                                 f"https://ai.stanford.edu/~amaas/data/sentiment/ 의 aclImdb_v1.tar.gz를 "
                                 f"{Path(root)}에 풀어 {base}/train/pos 등이 생기게 하세요.")
    X_train, y_train = _read_imdb_split(base / "train")
    X_test, y_test = _read_imdb_split(base / "test")
    info = {"class_names": ["neg", "pos"], "root": os.fspath(root)}
    return Dataset("imdb", X_train, y_train, X_test, y_test, info)


# Imagenette (Howard 2019, fast.ai): ImageNet에서 고른 쉬운 10 class. torchvision `Imagenette`의 폴더 구조
# `<root>/<archive>/{train,val}/<wnid>/*.JPEG`를 읽는다. class 순서는 wnid의 정렬 순서 (torchvision과 같다).
IMAGENETTE_ARCHIVES = {"full": "imagenette2", "320px": "imagenette2-320", "160px": "imagenette2-160"}
IMAGENETTE_WNIDS = ("n01440764", "n02102040", "n02979186", "n03000684", "n03028079", "n03394916", "n03417042",
                    "n03425413", "n03445777", "n03888257")
IMAGENETTE_CLASSES = ["tench", "English springer", "cassette player", "chain saw", "church", "French horn",
                      "garbage truck", "gas pump", "golf ball", "parachute"]


def _imagenette_split(datasets, root, split: str, size: str, download: bool, image_size: int,
                      max_per_class: int | None) -> tuple[np.ndarray, np.ndarray]:
    """한 split을 (N, 3, S, S) float32 [0, 1]와 (N,) int64로. 짧은 변을 S로 줄이고 가운데 S×S를 자른다."""
    from torchvision import transforms
    from torchvision.datasets.folder import make_dataset

    folder = Path(root) / IMAGENETTE_ARCHIVES[size] / split
    try:
        ds = datasets.Imagenette(os.fspath(root), split=split, size=size, download=download)
    except (RuntimeError, OSError) as error:              # 오프라인이면 URLError(OSError) / RuntimeError
        raise DatasetUnavailable(f"Imagenette를 {folder}에서 읽지도 받지도 못했습니다({_short(error)}): 인터넷 "
                                 f"연결을 확인하거나 imagenette2 압축을 {Path(root)}에 직접 푸세요.") from error
    except KeyError as error:                             # Imagenette에 없는 wnid 폴더
        raise DatasetUnavailable(f"{folder}에 Imagenette가 아닌 class 폴더 {error}가 있으니 지우고 "
                                 f"--download로 다시 받으세요.") from error
    samples = make_dataset(str(folder), ds.wnid_to_idx, extensions=".jpeg")    # 파일 이름 순서 → 결정적
    if max_per_class is not None:
        kept, count = [], {}
        for path, label in samples:
            count[label] = count.get(label, 0) + 1
            if count[label] <= max_per_class:
                kept.append((path, label))
        samples = kept
    resize = transforms.Compose([transforms.Resize(image_size), transforms.CenterCrop(image_size)])
    X = np.empty((len(samples), 3, image_size, image_size), dtype=np.uint8)
    for i, (path, _) in enumerate(samples):
        try:
            image = resize(ds.loader(path))                                    # PIL RGB, (S, S)
        except OSError as error:                                               # 깨진 JPEG
            raise DatasetUnavailable(f"{path}를 이미지로 읽을 수 없으니 지우고 --download로 다시 받으세요 "
                                     f"({_short(error)}).") from error
        X[i] = np.asarray(image, dtype=np.uint8).transpose(2, 0, 1)           # (H, W, 3) → (3, S, S)
    wnids = [IMAGENETTE_WNIDS.index(w) for w in ds.wnids]
    y = np.asarray([wnids[label] for _, label in samples], dtype=np.int64)
    return X.astype(np.float32) / np.float32(255), y


def load_imagenette(root: str | os.PathLike = "data", download: bool = False, image_size: int = 64,
                    size: str | None = None, max_per_class: int | None = None) -> Dataset:
    """Imagenette (fast.ai): ImageNet의 10 class 부분집합, train 9469 / val 3925장. X float32 (N, 3, S, S) [0, 1].

    `torchvision.datasets.Imagenette`가 폴더를 확인하고 (`download=True`면 받아 MD5까지 확인한다), 이미지는 짧은 변을
    `image_size`로 줄인 뒤 가운데 정사각형을 자른다 (PIL bilinear, antialias). 원본 archive `size`는 "160px",
    "320px", "full" 중 하나이고, 주지 않으면 image_size ≤ 160이면 160px, 아니면 320px를 읽는다.
    `max_per_class`를 주면 class마다 파일 이름 순서로 앞의 그만큼만 읽는다 (작은 실험과 smoke run).
    y는 wnid 정렬 순서의 class 번호 0–9 (`IMAGENETTE_CLASSES`와 같은 순서), test는 공식 val split이다.
    """
    if int(image_size) != image_size or image_size < 1:
        raise ValueError(f"image_size는 1 이상의 정수여야 합니다: image_size={image_size}")
    if max_per_class is not None and (int(max_per_class) != max_per_class or max_per_class < 1):
        raise ValueError(f"max_per_class는 1 이상의 정수여야 합니다: max_per_class={max_per_class}")
    size = size or ("160px" if image_size <= 160 else "320px")
    if size not in IMAGENETTE_ARCHIVES:
        raise ValueError(f"size는 {sorted(IMAGENETTE_ARCHIVES)} 중 하나여야 합니다: size={size!r}")
    folder = Path(root) / IMAGENETTE_ARCHIVES[size]
    if not download and not folder.is_dir():
        raise DatasetUnavailable(f"Imagenette ({size})가 {folder}에 없습니다. 인터넷이 되면 --download를 붙여 "
                                 f"다시 실행하세요.")
    datasets = _torchvision_datasets("Imagenette")
    X_train, y_train = _imagenette_split(datasets, root, "train", size, download, image_size, max_per_class)
    X_test, y_test = _imagenette_split(datasets, root, "val", size, False, image_size, max_per_class)
    info = {"class_names": list(IMAGENETTE_CLASSES), "wnids": list(IMAGENETTE_WNIDS), "root": os.fspath(root),
            "size": size, "image_size": int(image_size)}
    return Dataset("imagenette", X_train, y_train, X_test, y_test, info)
