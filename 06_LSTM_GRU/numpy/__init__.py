"""L1: NumPy로 손으로 쓴 RNN / LSTM / GRU와 BPTT."""
