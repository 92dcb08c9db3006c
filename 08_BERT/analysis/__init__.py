"""L4: 설치된 transformers의 modeling_bert.py 읽기 안내서와 parity 스크립트."""
