"""utils.distributed: torchrun 환경 변수가 없으면 process 하나, 있으면 gloo process group."""
import socket

import pytest
import torch

from . import distributed


def test_without_torchrun_it_is_one_process(monkeypatch):
    for name in ("RANK", "LOCAL_RANK", "WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    ctx = distributed.setup("cpu")
    assert (ctx.rank, ctx.world_size, ctx.is_main, ctx.distributed) == (0, 1, True, False)
    assert ctx.device == torch.device("cpu")
    assert distributed.all_reduce_mean(2.5, ctx) == 2.5
    distributed.barrier(ctx)
    distributed.cleanup(ctx)
    assert not torch.distributed.is_initialized()


def test_a_malformed_environment_names_the_variable(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "two")
    with pytest.raises(ValueError, match="WORLD_SIZE"):
        distributed.setup("cpu")


def _worker(rank: int, port: int, results) -> None:
    import os

    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE="2", MASTER_ADDR="127.0.0.1",
                      MASTER_PORT=str(port))
    ctx = distributed.setup("cpu")
    try:
        results[rank] = (ctx.backend, ctx.is_main, distributed.all_reduce_mean(float(rank + 1), ctx))
        distributed.barrier(ctx)
    finally:
        distributed.cleanup(ctx)


@pytest.mark.slow
def test_two_gloo_processes_average_their_values():
    import torch.multiprocessing as mp

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    manager = mp.Manager()
    results = manager.dict()
    mp.spawn(_worker, args=(port, results), nprocs=2, join=True)
    assert dict(results) == {0: ("gloo", True, 1.5), 1: ("gloo", False, 1.5)}
