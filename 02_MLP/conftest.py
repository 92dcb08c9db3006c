"""02장 테스트가 함께 쓰는 fixture."""
import pytest


@pytest.fixture
def single_thread():
    """slow 테스트(기본 실행)를 BLAS·OpenMP thread 하나로 돌린다. 계산은 같고(측정한 정확도도 같았다) 시간만 다르다.

    이 장의 행렬은 작아서(batch 64 × 폭 256) 여러 thread로 나눠도 빨라지지 않는다. 대신 다른 process와 CPU를
    나눠 쓰는 2-core 기계에서는 연산마다 thread 동기화가 ms 단위로 늘어난다: 같은 L2 기본 실행이 thread 1개로
    약 9초, 2개로 약 90초 걸렸다 (README의 측정). 직접 실행할 때는 `OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1`이
    같은 효과를 낸다. threadpoolctl은 scikit-learn의 의존성이라 이미 설치되어 있다.
    """
    import torch
    from threadpoolctl import threadpool_limits

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        yield
    torch.set_num_threads(previous)
