"""04장 연습문제: stub(exNN_*.py), reference solution(solutions/), 채점(test_exNN_*.py)."""
