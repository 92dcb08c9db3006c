"""여러 process로 학습하기: `torchrun`이 넣어 주는 환경 변수로 `torch.distributed`를 켜고 끈다.

    torchrun --standalone --nproc_per_node=2 -m 09_GPT.train ...

torchrun은 process마다 RANK (전체에서 몇 번째), LOCAL_RANK (이 기계에서 몇 번째), WORLD_SIZE (모두 몇 개),
MASTER_ADDR / MASTER_PORT (rank 0이 기다리는 주소)를 넣는다. 이 변수가 없으면 process 하나로 돈다
(`init_process_group`을 부르지 않는다). backend는 CUDA면 NCCL, 아니면 gloo (CPU tensor의 all-reduce).

- `setup(device_name)` → `Context` (rank, world_size, device, is_main). CUDA면 LOCAL_RANK번 GPU를 고른다.
- `barrier(ctx)`, `all_reduce_mean(value, ctx)`, `cleanup(ctx)`.
- 파일 쓰기(log, checkpoint, sample)는 `ctx.is_main` (rank 0)만 한다.
"""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass
class Context:
    rank: int = 0
    local_rank: int = 0
    world_size: int = 1
    device: object = None
    backend: str | None = None

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.backend is not None


def _env_int(name: str, default: int) -> int:
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"환경 변수 {name}는 정수여야 합니다: {text!r} (torchrun이 넣는 값)") from None


def setup(device_name: str = "auto") -> Context:
    """torchrun 아래면 process group을 만들고, 아니면 process 하나의 Context를 돌려준다."""
    import torch
    import torch.distributed as dist

    from utils.cli import choose_device

    world_size = _env_int("WORLD_SIZE", 1)
    rank, local_rank = _env_int("RANK", 0), _env_int("LOCAL_RANK", 0)
    device = choose_device(device_name)
    if world_size == 1:
        return Context(device=device)
    if device.type == "cuda":
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
        backend = "nccl"
    elif device.type == "cpu":
        backend = "gloo"
    else:
        raise ValueError(f"여러 process 학습은 cuda(NCCL)나 cpu(gloo)에서만 됩니다: device={device.type}")
    dist.init_process_group(backend=backend, device_id=device if backend == "nccl" else None)
    return Context(rank=rank, local_rank=local_rank, world_size=world_size, device=device, backend=backend)


def barrier(ctx: Context) -> None:
    """모든 rank가 여기 올 때까지 기다린다 (process 하나면 아무것도 하지 않는다)."""
    import torch.distributed as dist

    if ctx.distributed:
        dist.barrier()


def all_reduce_mean(value: float, ctx: Context) -> float:
    """rank마다의 수 하나를 모든 rank의 평균으로 (process 하나면 그대로)."""
    import torch
    import torch.distributed as dist

    if not ctx.distributed:
        return float(value)
    tensor = torch.tensor([float(value)], dtype=torch.float64, device=ctx.device)
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return float(tensor.item()) / ctx.world_size


def cleanup(ctx: Context) -> None:
    import torch.distributed as dist

    if ctx.distributed and dist.is_initialized():
        dist.destroy_process_group()
