"""L2: PyTorch raw tensor로 쓴 RNN / LSTM / GRU (multi-layer, bidirectional)."""
