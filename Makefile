# 처음에는 `make quick`(모든 장의 smoke run)부터. 그다음 `make test`, `make run`, `make grade`, `make claims`, `make bench`.
# 설치가 필요한 명령은 먼저 requirements를 constraints.txt의 버전으로 현재 환경(가상환경 권장)에 설치한다.
PYTHON ?= python3

.PHONY: run test test-slow quick lint grade deps bench bench-quick claims claims-quick

deps:
	$(PYTHON) -m pip install -q -r requirements.txt -c constraints.txt

# 모든 장을 끝까지 돌려 outputs/report.md와 outputs/run.json을 쓴다. 그 기록을 docs/06_Results.md에 더하려면
# `python -m utils.results --record outputs/run.json --write-docs`.
run: deps
	$(PYTHON) -m utils.run

# 테스트는 process 2개로 나눠 돈다 (pytest-xdist `-n 2`; 테스트마다 torch thread는 1개). slow는 파일 단위로 나눠
# (`--dist loadfile`) 한 파일의 테스트가 module fixture로 나눠 쓰는 학습 run을 한 번만 돌린다.
test: deps
	$(PYTHON) -m pytest -n 2

test-slow: deps
	$(PYTHON) -m pytest -m slow -n 2 --dist loadfile --durations=15

quick: deps
	$(PYTHON) -m utils.run --all --quick

lint: deps
	$(PYTHON) -m ruff check .

# 연습문제 채점표: 모든 장의 연습문제 테스트를 내 stub 파일(--learner)에 돌린다. `make grade CHAPTERS="06 11"`
grade:
	$(PYTHON) -m utils.grade $(CHAPTERS)

# 벤치마크 모음: 모든 장의 benchmark_*.py와 NumPy vs PyTorch 비교를 비율 표 하나로 (outputs/benchmarks/).
# `make bench CHAPTERS="03 05"`; docs/02의 표를 다시 만들려면 `python -m benchmarks.run --write-docs`.
bench: deps
	$(PYTHON) -m benchmarks.run $(CHAPTERS)

bench-quick: deps
	$(PYTHON) -m benchmarks.run --quick $(CHAPTERS)

# 논문 주장 재현표: 각 장의 claims.py를 seed 여러 개로 돌려 판정한다 (outputs/claims/).
# `make claims CHAPTERS="08 10"`; docs/05의 표를 다시 만들려면 `python -m utils.claims --write-docs`.
claims: deps
	$(PYTHON) -m utils.claims $(CHAPTERS)

claims-quick: deps
	$(PYTHON) -m utils.claims --quick $(CHAPTERS)
