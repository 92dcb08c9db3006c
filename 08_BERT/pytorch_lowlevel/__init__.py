"""L2: raw tensor로 쓴 BERT encoder, MLM masking, NSP 문장 쌍 만들기."""
