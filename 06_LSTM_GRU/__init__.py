"""06장: LSTM / GRU — gating과 BPTT를 손으로 쓰고 PyTorch와 맞춰 증명한다."""
