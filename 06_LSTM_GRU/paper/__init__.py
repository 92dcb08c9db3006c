"""L3: Hochreiter & Schmidhuber (1997) / Gers et al. (2000) LSTM, Cho et al. (2014) GRU (nn.Module)."""
