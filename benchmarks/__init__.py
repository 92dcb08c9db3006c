"""교과 과정 전체의 벤치마크 모음: 장마다 있는 `benchmark_*.py`와 NumPy vs PyTorch 비교를 한 process에서 돌린다.

    python -m benchmarks.run [chapter ...] [--quick] [--device cpu|cuda] [--threads N] [--out DIR] [--write-docs]

모든 결과는 같은 실행 안에서 나란히 잰 짝(twin)에 대한 **비율**로 적는다 (`timing.py`).
"""
